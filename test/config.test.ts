import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig, settings, usage } from '../src/config'

describe('loadConfig', () => {
  test('defaults', () => {
    const config = loadConfig([], {})
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      db: './data/automcp.db',
      upstreamUrl: 'https://openrouter.ai/api/v1',
      checkIntervalS: 30,
      logLevel: 'info',
      dbSynchronous: 'normal',
      corsOrigins: [],
    })
    expect(config.apiKey).toBeUndefined()
    expect(Object.isFrozen(config)).toBe(true)
  })

  test('environment, and flags that win over it', () => {
    const env = {
      PORT: '9000',
      HOST: '127.0.0.1',
      AUTOMCP_DB: ':memory:',
      AUTOMCP_LOG_LEVEL: 'WARN',
      AUTOMCP_CHECK_INTERVAL: '5',
    }
    expect(loadConfig([], env)).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      db: ':memory:',
      logLevel: 'warn',
      checkIntervalS: 5,
    })
    expect(loadConfig(['--port', '9100', '--db=/tmp/x.db'], env)).toMatchObject({
      port: 9100,
      db: '/tmp/x.db',
    })
  })

  test('the upstream key under either name (OPENROUTER_API_KEY first); durations with units', () => {
    expect(loadConfig([], { AUTOMCP_UPSTREAM_API_KEY: 'b' }).upstreamApiKey).toBe('b')
    expect(loadConfig([], { AUTOMCP_UPSTREAM_API_KEY: 'b', OPENROUTER_API_KEY: 'a' }).upstreamApiKey).toBe(
      'a',
    )
    const config = loadConfig([], { AUTOMCP_UPSTREAM_IDLE_TIMEOUT: '500ms', AUTOMCP_MODELS_CACHE_TTL: '2m' })
    expect(config).toMatchObject({
      upstreamIdleTimeoutMs: 500,
      modelsCacheMs: 120_000,
      upstreamTimeoutMs: 30_000,
    })
    expect(() => loadConfig([], { AUTOMCP_UPSTREAM_TIMEOUT: '30' })).toThrow(
      /AUTOMCP_UPSTREAM_TIMEOUT must be a duration/,
    )
  })

  test('secrets and URLs', () => {
    const config = loadConfig([], {
      OPENROUTER_API_KEY: 'sk-or',
      AUTOMCP_API_KEY: 'a-long-enough-admin-key',
      AUTOMCP_UPSTREAM_URL: 'http://localhost:11434/v1/',
      AUTOMCP_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
    })
    expect(config).toMatchObject({
      upstreamApiKey: 'sk-or',
      apiKey: 'a-long-enough-admin-key',
      upstreamUrl: 'http://localhost:11434/v1',
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
    })
    // Keys that could be guessed are refused; the upstream's own key is whatever the upstream wants.
    expect(() => loadConfig([], { AUTOMCP_API_KEY: 'short' })).toThrow(/AUTOMCP_API_KEY must be at least 16/)
    expect(() => loadConfig([], { AUTOMCP_SECRET_KEY: 'short' })).toThrow(
      /AUTOMCP_SECRET_KEY must be at least 16/,
    )
    expect(loadConfig([], { OPENROUTER_API_KEY: 'ollama' }).upstreamApiKey).toBe('ollama')
  })

  test.each([
    [[], { PORT: 'eighty' }, 'PORT'],
    [['--port', '70000'], {}, '--port'],
    [[], { AUTOMCP_CHECK_INTERVAL: '0' }, 'AUTOMCP_CHECK_INTERVAL'],
    [[], { AUTOMCP_CHECK_INTERVAL: '1.5' }, 'AUTOMCP_CHECK_INTERVAL'],
    [[], { AUTOMCP_LOG_LEVEL: 'loud' }, 'AUTOMCP_LOG_LEVEL'],
    [[], { AUTOMCP_UPSTREAM_URL: 'openrouter.ai' }, 'AUTOMCP_UPSTREAM_URL'],
    [[], { AUTOMCP_CORS_ORIGINS: 'https://a.example/path' }, 'AUTOMCP_CORS_ORIGINS'],
    [[], { AUTOMCP_DB_SYNCHRONOUS: 'off' }, 'AUTOMCP_DB_SYNCHRONOUS'],
    [['--bogus'], {}, '--bogus'],
    [['--port'], {}, '--port'],
  ] as [string[], Record<string, string>, string][])('%j %j is refused naming %s', (argv, env, name) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError)
    expect(() => loadConfig(argv, env)).toThrow(name)
  })

  test('usage lists every flag and environment variable', () => {
    const text = usage()
    for (const s of Object.values(settings)) {
      if ('flag' in s && s.flag) expect(text).toContain(s.flag)
      if (s.env) expect(text).toContain(s.env)
    }
  })
})
