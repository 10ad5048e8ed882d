import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import pkg from '../package.json'
import { loadConfig, settings } from '../src/config'
import { buildArgs } from './helpers/binary'

// No Docker engine runs here: these tests hold the Dockerfile and docker-compose.yml to the commands that
// test/binary.test.ts runs for real (the build script, `automcp` with options only, `automcp healthcheck`).
const root = join(import.meta.dir, '..')
const read = (file: string) => readFileSync(join(root, file), 'utf8')

type Instruction = { op: string; args: string }
type Stage = { image: string; name: string | undefined; steps: Instruction[] }

/** Dockerfile instructions by stage: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split('\n')
  const stages: Stage[] = []
  for (const line of lines.map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? []
    if (op.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/)
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, steps: [] })
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') })
  }
  return stages
}

const all = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op).map((s) => s.args)
const one = (stage: Stage, op: string) => {
  const found = all(stage, op)
  expect(found, op).toHaveLength(1)
  return found[0] as string
}
/** `ENV a=b c=d` (and the old `ENV a b`) as an object. */
const envOf = (stage: Stage) =>
  Object.fromEntries(
    all(stage, 'ENV').flatMap((args) =>
      args.includes('=')
        ? args.split(' ').map((pair) => pair.split(/=(.*)/s, 2).map((v) => v.replace(/^"|"$/g, '')))
        : [args.split(/ (.*)/s, 2)],
    ),
  ) as Record<string, string>

const stages = parseDockerfile(read('Dockerfile'))
const build = stages.find((s) => s.name === 'build') as Stage
const runtime = stages.at(-1) as Stage
const env = envOf(runtime)
const bin = JSON.parse(one(runtime, 'ENTRYPOINT'))[0] as string

describe('Dockerfile', () => {
  test('builds with the build script the smoke test compiles, from the lockfile', () => {
    expect(build).toBeDefined()
    expect(all(build, 'RUN')).toEqual(
      expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run build']),
    )
    const script = pkg.scripts.build.split(/\s+/)
    expect(script.slice(0, 2)).toEqual(['bun', 'build'])
    expect(script).toContain('--compile')
    expect(script[script.indexOf('--outfile') + 1]).toBe('dist/automcp')
    // The smoke test's build: the same arguments, only written elsewhere.
    expect(buildArgs('/elsewhere/automcp')).toEqual(
      script.slice(1).map((a) => (a === 'dist/automcp' ? '/elsewhere/automcp' : a)),
    )
  })

  test('ships only the binary the build stage wrote, on a base without Node or Bun, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(runtime.image).toMatch(/^debian:[\w.-]+-slim$/)
    const workdir = one(build, 'WORKDIR')
    expect(all(runtime, 'COPY')).toEqual([`--from=build ${posix.join(workdir, 'dist/automcp')} ${bin}`])
    expect(all(runtime, 'ADD')).toEqual([])
    const user = one(runtime, 'USER')
    expect(['root', '0']).not.toContain(user.split(':')[0])
  })

  test('runs the binary with no command (serve, as the smoke test starts it); HEALTHCHECK runs `healthcheck`', () => {
    expect(JSON.parse(one(runtime, 'ENTRYPOINT'))).toEqual([bin])
    expect(all(runtime, 'CMD')).toEqual([])
    const healthcheck = one(runtime, 'HEALTHCHECK')
    const [, options = '', command = ''] = /^(.*?)CMD (.*)$/.exec(healthcheck) ?? []
    expect(JSON.parse(command)).toEqual([bin, 'healthcheck'])
    expect(options).toContain('--interval=')
    // `healthcheck` asks 127.0.0.1 when HOST is 0.0.0.0, as in the smoke test.
    expect(env.HOST).toBe('0.0.0.0')
  })

  test('keeps the database in the /data volume and listens on the exposed port 8000', () => {
    expect(env.AUTOMCP_DB).toBe('/data/automcp.db')
    const volumes = one(runtime, 'VOLUME')
    expect(volumes.startsWith('[') ? JSON.parse(volumes) : volumes.split(' ')).toEqual(['/data'])
    expect(dirname(env.AUTOMCP_DB as string)).toBe('/data')
    expect(one(runtime, 'EXPOSE')).toBe('8000')
    expect(env.PORT ?? String(settings.port.default)).toBe('8000')
    for (const name of Object.keys(env)) {
      expect(
        Object.values(settings).some((s) => s.env === name),
        `ENV ${name} is a setting`,
      ).toBe(true)
    }
  })
})

describe('docker-compose.yml', () => {
  type Service = { build: string; ports: string[]; environment: string[]; volumes: string[] }
  const compose = Bun.YAML.parse(read('docker-compose.yml')) as {
    services: Record<string, Service>
    volumes: Record<string, unknown>
  }
  const [name, service] = Object.entries(compose.services)[0] as [string, Service]

  test('one service built from this Dockerfile, on port 8000', () => {
    expect(Object.keys(compose.services)).toEqual([name])
    expect(service.build).toBe('.')
    expect(service.ports).toEqual([`8000:${one(runtime, 'EXPOSE')}`])
  })

  test('passes OPENROUTER_API_KEY and AUTOMCP_API_KEY through from the environment', () => {
    // Each one `NAME=${NAME:-}`: the shell's value, or empty (which AutoMCP reads as unset).
    const passed = service.environment.map((entry) => /^(\w+)=\$\{(\w+):-\}$/.exec(entry))
    expect(passed.map((m) => m?.[1] === m?.[2] && m?.[1])).toEqual(['OPENROUTER_API_KEY', 'AUTOMCP_API_KEY'])
    expect(loadConfig([], { OPENROUTER_API_KEY: '', AUTOMCP_API_KEY: '' })).toMatchObject({
      upstreamApiKey: undefined,
      apiKey: undefined,
    })
  })

  test('keeps /data, the image volume, in a named volume', () => {
    expect(service.volumes).toHaveLength(1)
    const [volume, target] = String(service.volumes[0]).split(':')
    expect(target).toBe('/data')
    expect(Object.keys(compose.volumes)).toEqual([volume as string])
  })
})
