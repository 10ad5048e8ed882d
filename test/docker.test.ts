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
// `docker build .` builds the last stage; `docker build --target node .` the one on Node.js.
const slim = stages.at(-1) as Stage
const node = stages.find((s) => s.name === 'node') as Stage
const finals = [
  ['the default image (the last stage)', slim],
  ['the Node.js image (--target node)', node],
] as const
// Debian's `tini` package installs it here.
const tini = '/usr/bin/tini'
const bin = (JSON.parse(one(slim, 'ENTRYPOINT')) as string[]).at(-1) as string

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

  test('the default image has neither Node nor Bun; the other is Node.js on the same Debian release', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3)
    expect(slim.image).toMatch(/^debian:[\w.-]+-slim$/)
    expect(slim.name).not.toBe('node')
    // An official Node.js image: node, npm and npx in /usr/local/bin, which is in PATH.
    expect(node).toBeDefined()
    const release = (slim.image.split(':')[1] as string).replace(/-slim$/, '')
    expect(node.image).toMatch(new RegExp(`^node:\\d+[\\w.]*-${release}(-slim)?$`))
  })

  test('the two final stages differ only in their base image', () => {
    expect(node.steps).toEqual(slim.steps)
  })

  describe.each(finals)('%s', (_, stage) => {
    test('ships only the binary the build stage wrote, as a non-root user it creates', () => {
      const workdir = one(build, 'WORKDIR')
      expect(all(stage, 'COPY')).toEqual([`--from=build ${posix.join(workdir, 'dist/automcp')} ${bin}`])
      expect(all(stage, 'ADD')).toEqual([])
      const user = one(stage, 'USER').split(':')[0] as string
      expect(['root', '0']).not.toContain(user)
      expect(all(stage, 'RUN').some((run) => new RegExp(`\\buseradd\\b.* ${user}\\b`).test(run))).toBe(true)
    })

    test('runs the binary under tini, which it installs, with no command (serve, as the smoke test starts it)', () => {
      // tini as PID 1 reaps orphaned grandchildren of stdio servers (npx → node) and passes SIGTERM on.
      expect(JSON.parse(one(stage, 'ENTRYPOINT'))).toEqual([tini, '--', bin])
      expect(all(stage, 'RUN').some((run) => /\bapt-get install\b.* tini(\s|$)/.test(run))).toBe(true)
      expect(all(stage, 'CMD')).toEqual([])
      expect(one(stage, 'STOPSIGNAL')).toBe('SIGTERM')
    })

    test('HEALTHCHECK runs `healthcheck`, which asks 127.0.0.1 when HOST is 0.0.0.0', () => {
      const healthcheck = one(stage, 'HEALTHCHECK')
      const [, options = '', command = ''] = /^(.*?)CMD (.*)$/.exec(healthcheck) ?? []
      expect(JSON.parse(command)).toEqual([bin, 'healthcheck'])
      expect(options).toContain('--interval=')
      // As in the smoke test, which runs `healthcheck` with HOST=0.0.0.0.
      expect(envOf(stage).HOST).toBe('0.0.0.0')
    })

    test('keeps the database in the /data volume and listens on the exposed port 8000', () => {
      const env = envOf(stage)
      expect(env.AUTOMCP_DB).toBe('/data/automcp.db')
      const volumes = one(stage, 'VOLUME')
      expect(volumes.startsWith('[') ? JSON.parse(volumes) : volumes.split(' ')).toEqual(['/data'])
      expect(dirname(env.AUTOMCP_DB as string)).toBe('/data')
      expect(one(stage, 'EXPOSE')).toBe('8000')
      expect(env.PORT ?? String(settings.port.default)).toBe('8000')
      // No PATH of its own either: stdio servers find their commands in the base image's PATH.
      for (const name of Object.keys(env)) {
        expect(
          Object.values(settings).some((s) => s.env === name),
          `ENV ${name} is a setting`,
        ).toBe(true)
      }
    })
  })

  test('the targets the docs and docker-compose.yml name are stages of the Dockerfile', () => {
    const names = stages.map((s) => s.name)
    const docs = [...read('docs/operations.md').matchAll(/--target ([\w.-]+)/g)].map((m) => m[1])
    const compose = [...read('docker-compose.yml').matchAll(/\btarget: *([\w.-]+)/g)].map((m) => m[1])
    expect(docs).toContain('node')
    expect(compose).toContain('node')
    for (const target of [...docs, ...compose]) expect(names).toContain(target)
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
    expect(service.ports).toEqual([`8000:${one(slim, 'EXPOSE')}`])
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
