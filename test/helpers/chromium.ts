import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LaunchOptions } from 'playwright-core'
import pkg from '../../package.json'
import { run } from './process'

const root = join(import.meta.dir, '..', '..')
const debian = '/usr/bin/chromium'
// `--single-process`, which @sparticuz/chromium recommends, ends the browser when its first context closes.
const args = ['--headless', '--no-sandbox']

/**
 * How the browser tests launch Chromium, never a downloaded one: Debian's when it is installed, else the
 * headless one that `npm install` brought inside the @sparticuz/chromium package, unpacked once per
 * version, with the libraries the package ships for it (NSS, expat), which a bare machine lacks.
 */
export async function chromiumOptions(): Promise<LaunchOptions> {
  if (existsSync(debian)) return { executablePath: debian, args }
  const dir = join(tmpdir(), `automcp-chromium-${pkg.devDependencies['@sparticuz/chromium']}`)
  if (!existsSync(join(dir, 'chromium'))) await unpack(dir)
  const libs = [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':')
  return { executablePath: join(dir, 'chromium'), args, env: { ...process.env, LD_LIBRARY_PATH: libs } }
}

/**
 * The package unpacks into os.tmpdir() and trusts whatever it finds there: a run stopped half-way, or
 * another run beside this one, would launch half a browser. So it unpacks into a directory of its own (a
 * child process with its own TMPDIR), renamed into place whole.
 */
async function unpack(dir: string) {
  const staging = mkdtempSync(`${dir}-`)
  const script = `import chromium, { inflate } from '@sparticuz/chromium'
    console.log(await chromium.executablePath())
    await inflate(new URL('../bin/al2023.tar.br', import.meta.resolve('@sparticuz/chromium')).pathname)`
  const { code, stdout, stderr } = await run([process.execPath, '-e', script], {
    cwd: root,
    env: { ...process.env, TMPDIR: staging },
  })
  if (
    code !== 0 ||
    stdout.trim() !== join(staging, 'chromium') ||
    !existsSync(join(staging, 'al2023', 'lib'))
  )
    throw new Error(`@sparticuz/chromium did not unpack into ${staging} (exit ${code}):\n${stdout}${stderr}`)
  try {
    renameSync(staging, dir)
  } catch {
    rmSync(staging, { recursive: true, force: true }) // another run got there first: use its copy
  }
}
