// `npm run conformance:client`: every client scenario of @modelcontextprotocol/conformance against a real
// AutoMCP, one scenario at a time (the suite's own --suite runs them all at once, and `sse-retry` times a
// reconnect to within 250 ms). Prints `conformance client: N/M passed` and the failures; exits 1 when a
// scenario that is not in expected-failures.json failed, or one listed there passed.
import { join } from 'node:path'
import { startServer, tempDir } from '../helpers/process'
import expected from './expected-failures.json' with { type: 'json' }

const root = join(import.meta.dir, '..', '..')
const suite = join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')
const adapter = join(import.meta.dir, 'adapter.ts')
const key = 'amcp_conformance-admin-key'

export async function runConformance(only?: string[]) {
  const listed = Bun.spawnSync([process.execPath, suite, 'list', '--client']).stdout.toString()
  const all = [...listed.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1] as string)
  const scenarios = only?.length ? all.filter((s) => only.includes(s)) : all
  const server = await startServer(['--db', join(tempDir('automcp-conformance-'), 'a.db')], {
    AUTOMCP_API_KEY: key,
    AUTOMCP_OAUTH_CLIENT_ID_URL: 'https://conformance-test.local/client-metadata.json',
    AUTOMCP_CHECK_INTERVAL: '2',
  })
  const results: { scenario: string; passed: boolean; output: string }[] = []
  try {
    for (const scenario of scenarios) {
      const run = Bun.spawn(
        [
          process.execPath,
          suite,
          'client',
          '--command',
          `${process.execPath} ${adapter}`,
          '--scenario',
          scenario,
        ],
        {
          env: { ...process.env, AUTOMCP_URL: server.base, AUTOMCP_KEY: key },
          stdout: 'pipe',
          stderr: 'pipe',
        },
      )
      const [out, err, code] = await Promise.all([
        new Response(run.stdout).text(),
        new Response(run.stderr).text(),
        run.exited,
      ])
      results.push({ scenario, passed: code === 0, output: `${out}\n${err}` })
    }
  } finally {
    server.proc.kill('SIGTERM')
    await server.proc.exited
  }
  return results
}

if (import.meta.main) {
  const results = await runConformance(process.argv.slice(2))
  const failedUnexpectedly = results.filter((r) => !r.passed && !expected.client.includes(r.scenario))
  const passedUnexpectedly = results.filter((r) => r.passed && expected.client.includes(r.scenario))
  for (const r of results.filter((r) => !r.passed))
    console.log(
      `✗ ${r.scenario}${expected.client.includes(r.scenario) ? ' (expected)' : ''}\n${
        process.env.CONFORMANCE_VERBOSE
          ? r.output
          : r.output
              .split('\n')
              .filter((l) => /FAIL|WARN|adapter\]/.test(l))
              .slice(0, 12)
              .join('\n')
      }`,
    )
  for (const r of passedUnexpectedly)
    console.log(`! ${r.scenario} passed: remove it from expected-failures.json`)
  console.log(`conformance client: ${results.filter((r) => r.passed).length}/${results.length} passed`)
  process.exit(failedUnexpectedly.length + passedUnexpectedly.length > 0 ? 1 : 0)
}
