// npm run bench:startup — time from exec of the compiled binary to its first 200 on /health, median of
// 10 starts on an existing database (a restart) and 10 on a new one (a first start, which migrates).
import { copyFileSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchEnv, fmt, freePort, quantile } from './lib'

const root = join(import.meta.dir, '..')
const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-startup-'))
const built = Bun.spawnSync(['npm', 'run', 'build'], { cwd: root, stdout: 'ignore', stderr: 'inherit' })
if (built.exitCode !== 0) throw new Error('npm run build failed')
// The binary alone in a directory of its own, as it is shipped.
const binary = join(dir, 'automcp')
copyFileSync(join(root, 'dist/automcp'), binary)
Bun.spawnSync(['chmod', '+x', binary])

async function start(db: string): Promise<number> {
  const port = await freePort()
  const t = performance.now()
  const proc = Bun.spawn([binary, '--port', String(port), '--host', '127.0.0.1', '--db', db], {
    cwd: dir,
    env: { ...process.env, ...benchEnv, AUTOMCP_LOG_LEVEL: 'warn' },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    if (performance.now() - t > 10_000) throw new Error('no 200 from /health within 10 s')
    await Bun.sleep(2)
  }
  const ms = performance.now() - t
  proc.kill('SIGTERM')
  await proc.exited
  return ms
}

await start(join(dir, 'warm.db')) // creates it, and warms the page cache
const restart: number[] = []
const first: number[] = []
for (let i = 0; i < 10; i++) {
  restart.push(await start(join(dir, 'warm.db')))
  first.push(await start(join(dir, `new-${i}.db`)))
}
const sizeMb = statSync(binary).size / 1024 / 1024
console.log(`bench:startup, compiled binary ${fmt(sizeMb, 1)} MB`)
console.log(
  `restart          exec to first 200 on /health: median ${fmt(quantile(restart, 0.5), 1)} ms, max ${fmt(Math.max(...restart), 1)} ms (target median <= 150 ms)`,
)
console.log(
  `first start      with migrations and key files: median ${fmt(quantile(first, 0.5), 1)} ms, max ${fmt(Math.max(...first), 1)} ms`,
)
