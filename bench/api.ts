// npm run bench:api — GET /servers with 100 servers against a bare Bun.serve answering the same bytes,
// and sustained POST /servers/register, each measured in this run with wrk (Debian package `wrk`).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authHeader, benchEnv, fmt, freePort, quantile, waitUntilUp } from './lib'

const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const root = join(import.meta.dir, '..')
const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-'))

if (!Bun.which('wrk')) {
  console.error('bench:api needs wrk: apt-get install -y wrk')
  process.exit(1)
}

async function start(cmd: string[], env: Record<string, string> = {}) {
  const port = await freePort()
  const proc = Bun.spawn([...cmd, String(port)], {
    env: { ...process.env, ...env },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const base = `http://127.0.0.1:${port}`
  await waitUntilUp(`${base}/health`, cmd.join(' '))
  return { proc, base }
}

function wrk(url: string, script?: string): number {
  // The bare baseline ignores the header; AutoMCP checks it on every request, as in production.
  const args = [
    'wrk',
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '-H',
    `Authorization: ${authHeader.authorization}`,
    ...(script ? ['-s', script] : []),
    url,
  ]
  const out = Bun.spawnSync(args).stdout.toString()
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1]
  if (!rps) throw new Error(`wrk said:\n${out}`)
  if (non2xx) throw new Error(`${non2xx} error responses from ${url}`)
  return Number(rps)
}

const automcp = await start(
  [
    process.execPath,
    join(root, 'src/main.ts'),
    '--host',
    '127.0.0.1',
    '--db',
    join(dir, 'bench.db'),
    '--port',
  ],
  {
    ...benchEnv,
    AUTOMCP_LOG_LEVEL: process.env.AUTOMCP_LOG_LEVEL ?? 'info',
  },
)
for (let i = 0; i < 100; i++) {
  await fetch(`${automcp.base}/servers/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader },
    body: JSON.stringify({
      id: `server-${i}`,
      name: `Server ${i}`,
      url: `http://127.0.0.1:${9000 + i}/mcp`,
      tags: ['bench', i % 2 ? 'odd' : 'even'],
    }),
  })
}
const body = await (await fetch(`${automcp.base}/servers`, { headers: authHeader })).arrayBuffer()
writeFileSync(join(dir, 'servers.json'), new Uint8Array(body))

const bare = await start([
  process.execPath,
  join(import.meta.dir, 'bare-server.ts'),
  join(dir, 'servers.json'),
])
// Alternating rounds and medians: this machine's neighbours make single runs swing by ±20%.
const median = (xs: number[]) => quantile(xs, 0.5)
const bareRuns: number[] = []
const listRuns: number[] = []
for (let round = 0; round <= rounds; round++) {
  const b = wrk(`${bare.base}/servers`)
  const l = wrk(`${automcp.base}/servers`)
  if (round === 0) continue // warms both up
  bareRuns.push(b)
  listRuns.push(l)
}
const bareRps = median(bareRuns)
const listRps = median(listRuns)
bare.proc.kill()

const script = join(dir, 'register.lua')
writeFileSync(
  script,
  `local n = 0
request = function()
  n = n + 1
  local body = string.format('{"id":"bench-%d-%d","name":"Bench","url":"http://127.0.0.1:9/mcp","tags":["bench"]}', math.random(1, 1000000000), n)
  return wrk.format("POST", "/servers/register", { ["Content-Type"] = "application/json", ["Authorization"] = "${authHeader.authorization}" }, body)
end
`,
)
const registerRps = wrk(`${automcp.base}/servers/register`, script)
automcp.proc.kill('SIGTERM')
await automcp.proc.exited

console.log(
  `wrk -t1 -c${connections} -d${seconds}s, median of ${rounds} alternating rounds, ${body.byteLength} bytes per GET /servers answer, log level ${process.env.AUTOMCP_LOG_LEVEL ?? 'info'}`,
)
console.log(
  `GET /servers (100 servers)   automcp ${fmt(listRps)} req/s   bare Bun.serve ${fmt(bareRps)} req/s   ratio ${(listRps / bareRps).toFixed(2)} (target >= 0.50)`,
)
console.log(
  `POST /servers/register        automcp ${fmt(registerRps)} req/s (target >= 5,000), file database, synchronous=NORMAL`,
)
