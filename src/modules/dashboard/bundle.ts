// The dashboard's client app (src/ui), bundled when this file is transpiled: a Bun macro (imported with
// `{ type: 'macro' }`), so the bundle is built once by `bun build --compile` into the binary, and on first
// use when AutoMCP runs from source. Bun.build cannot run inside a macro, so the CLI is spawned.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The bundle's files by name (hashed: `main-1a2b3c4d.js`), as text; or why it did not build. */
export type UiBundle = { files: Record<string, string> } | { error: string }

export function bundleUi(): UiBundle {
  const entry = join(import.meta.dir, '..', '..', 'ui', 'main.tsx')
  const dir = mkdtempSync(join(tmpdir(), 'automcp-ui-'))
  try {
    const built = Bun.spawnSync(
      [
        process.execPath,
        'build',
        entry,
        '--target=browser',
        '--production',
        '--jsx-import-source=preact',
        '--jsx-runtime=automatic',
        '--outdir',
        dir,
        '--entry-naming',
        '[name]-[hash].[ext]',
        '--asset-naming',
        '[name]-[hash].[ext]',
      ],
      { env: { ...process.env, NODE_ENV: 'production' } },
    )
    // A macro's exception does not survive its way out: the error goes back as data, thrown by the caller.
    if (!built.success) return { error: built.stderr.toString() || `bun build exited ${built.exitCode}` }
    const files: Record<string, string> = {}
    for (const name of readdirSync(dir)) files[name] = readFileSync(join(dir, name), 'utf8')
    return { files }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
