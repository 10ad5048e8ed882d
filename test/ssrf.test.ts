import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../src/config'
import { BlockedError, createGuardedFetch, type FetchLike } from '../src/shared/guarded-fetch'
import {
  createPolicy,
  formatIp,
  type GuardSettings,
  literalRefusal,
  parseCidr,
  parseIp,
} from '../src/shared/ssrf'
import { json, startApp, type TestApp } from './helpers/app'
import { healthServer } from './helpers/peers'

const policy = (s: Partial<GuardSettings> = {}) =>
  createPolicy({ allowPrivate: true, allowHosts: [], denyCidrs: [], ...s })
const strict = policy({ allowPrivate: false })

// Every spelling of a blocked address the URL parser accepts; WHATWG URL parsing turns decimal, hex and
// octal IPv4 hosts into dotted ones, and IPv6 into its compressed hex form.
const alwaysBlocked = [
  'http://169.254.169.254/latest/meta-data/',
  'http://2852039166/',
  'http://0xa9fea9fe/',
  'http://0xA9.0xFE.0xA9.0xFE/',
  'http://0251.0376.0251.0376/',
  'http://169.254.43518/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'http://[::ffff:0:a9fe:a9fe]/',
  'http://[::169.254.169.254]/',
  'http://[64:ff9b::169.254.169.254]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://169.254.0.1:8080/mcp',
  'http://[fe80::1]/',
  'http://[FE80::a:b]/',
  'http://[fd00:ec2::254]/',
  'http://100.100.100.200/',
  'http://0.0.0.0:3001/mcp',
  'http://0/',
  'http://0.1.2.3/',
  'http://224.0.0.1/',
  'http://239.255.255.250:1900/',
  'http://[ff02::1]/',
  'http://[::ffff:224.0.0.1]/',
  'http://255.255.255.255/',
  'http://[::]/',
  'https://169.254.169.254/',
]
const privateForms = [
  'http://127.0.0.1:3001/mcp',
  'http://2130706433/',
  'http://0x7f000001/',
  'http://127.1/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://10.1.2.3/',
  'http://172.16.0.1/',
  'http://172.31.255.255/',
  'http://192.168.1.10/',
  'http://100.64.0.1/',
  'http://[fd12:3456::1]/',
  'http://[fc00::1]/',
]
const publicForms = ['http://8.8.8.8/', 'https://1.1.1.1/', 'http://172.32.0.1/', 'http://[2606:4700::1111]/']

describe('address rules', () => {
  test('the URL parser normalises integer, hex and octal IPv4 hosts', () => {
    expect(new URL('http://2852039166/').hostname).toBe('169.254.169.254')
    expect(new URL('http://0xa9fea9fe/').hostname).toBe('169.254.169.254')
    expect(new URL('http://0251.0376.0251.0376/').hostname).toBe('169.254.169.254')
    expect(new URL('http://[::ffff:169.254.169.254]/').hostname).toBe('[::ffff:a9fe:a9fe]')
  })

  test.each(alwaysBlocked)('%s is blocked whatever the settings', (url) => {
    expect(literalRefusal(url, policy())).toBeString()
    expect(literalRefusal(url, strict)).toBeString()
    const host = new URL(url).hostname
    expect(
      literalRefusal(url, policy({ allowPrivate: false, allowHosts: [host.replace(/^\[|\]$/g, '')] })),
    ).toBeString()
  })

  test.each(privateForms)('%s is allowed by default, blocked with AUTOMCP_ALLOW_PRIVATE=false', (url) => {
    expect(literalRefusal(url, policy())).toBeNull()
    expect(literalRefusal(url, strict)).toContain('AUTOMCP_ALLOW_PRIVATE=false')
  })

  test.each(publicForms)('%s is allowed', (url) => {
    expect(literalRefusal(url, strict)).toBeNull()
  })

  test('names are left to the check, which resolves them', () => {
    expect(literalRefusal('http://localhost:3001/mcp', strict)).toBeNull()
    expect(literalRefusal('http://metadata.google.internal/', strict)).toBeNull()
  })

  test('the reason names the address and the rule', () => {
    expect(literalRefusal('http://0xa9fea9fe/', policy())).toBe(
      '169.254.169.254 is link-local, where cloud metadata lives (169.254.0.0/16)',
    )
    expect(literalRefusal('http://[::ffff:169.254.169.254]/', policy())).toBe(
      '::ffff:a9fe:a9fe (169.254.169.254) is link-local, where cloud metadata lives (169.254.0.0/16)',
    )
  })

  test('AUTOMCP_ALLOW_HOSTS lifts the private block for the hosts it names, and nothing else', () => {
    const refusal = policy({
      allowPrivate: false,
      allowHosts: ['mcp.lan', '*.corp.example', '10.0.0.5', 'fd00::5'],
    })
    const loopback = parseIp('127.0.0.1') as NonNullable<ReturnType<typeof parseIp>>
    const metadata = parseIp('169.254.169.254') as NonNullable<ReturnType<typeof parseIp>>
    expect(refusal(loopback, 'mcp.lan')).toBeNull()
    expect(refusal(loopback, 'MCP.LAN.')).toBeNull()
    expect(refusal(loopback, 'a.corp.example')).toBeNull()
    expect(refusal(loopback, 'a.b.corp.example')).toBeNull()
    expect(refusal(loopback, 'corp.example')).toBeString()
    expect(refusal(loopback, 'evilcorp.example')).toBeString()
    expect(refusal(loopback, 'other.lan')).toBeString()
    expect(refusal(metadata, 'mcp.lan')).toBeString()
    expect(literalRefusal('http://10.0.0.5/', refusal)).toBeNull()
    expect(literalRefusal('http://0x0a000005/', refusal)).toBeNull()
    expect(literalRefusal('http://[fd00::5]/', refusal)).toBeNull()
    expect(literalRefusal('http://10.0.0.6/', refusal)).toBeString()
  })

  test('AUTOMCP_DENY_CIDRS blocks more, in every spelling, and AUTOMCP_ALLOW_HOSTS does not lift it', () => {
    const refusal = policy({
      denyCidrs: ['203.0.113.0/24', '2001:db8::/32', '127.0.0.2/32'],
      allowHosts: ['x.test'],
    })
    expect(literalRefusal('http://203.0.113.9/', refusal)).toContain('AUTOMCP_DENY_CIDRS (203.0.113.0/24)')
    expect(literalRefusal('http://[::ffff:203.0.113.9]/', refusal)).toContain('AUTOMCP_DENY_CIDRS')
    expect(literalRefusal('http://3405803785/', refusal)).toContain('AUTOMCP_DENY_CIDRS')
    expect(literalRefusal('http://[2001:db8:1::1]/', refusal)).toContain('AUTOMCP_DENY_CIDRS (2001:db8::/32)')
    expect(literalRefusal('http://203.0.114.1/', refusal)).toBeNull()
    expect(refusal(parseIp('127.0.0.2') as NonNullable<ReturnType<typeof parseIp>>, 'x.test')).toBeString()
  })

  test('parseIp, parseCidr and formatIp', () => {
    expect(parseIp('localhost')).toBeNull()
    expect(parseIp('1.2.3')).toBeNull()
    expect(parseIp('01.2.3.4')).toBeNull()
    expect(parseIp('1::2::3')).toBeNull()
    expect(parseIp('fe80::1%eth0')).toEqual({ version: 6, value: (0xfe80n << 112n) | 1n })
    for (const [raw, shown] of [
      ['::', '::'],
      ['::1', '::1'],
      ['[2001:DB8:0:0:1:0:0:1]', '2001:db8::1:0:0:1'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['::ffff:1.2.3.4', '::ffff:102:304'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['192.168.0.1', '192.168.0.1'],
    ])
      expect(formatIp(parseIp(raw as string) as NonNullable<ReturnType<typeof parseIp>>)).toBe(
        shown as string,
      )
    expect(parseCidr('10.0.0.0/8')).toEqual({ version: 4, base: 10n << 24n, bits: 8 })
    expect(parseCidr('fd00::/8').bits).toBe(8)
    expect(parseCidr('203.0.113.7').bits).toBe(32)
    expect(() => parseCidr('10.0.0.1/8')).toThrow('bits set after the /8 prefix')
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/8/1',
      'fd00::/129',
      'example.com/8',
      '10.0.0.0/-1',
      '',
    ])
      expect(() => parseCidr(bad)).toThrow()
  })
})

describe('settings', () => {
  test('defaults: private allowed, nothing extra', () => {
    expect(loadConfig([], {})).toMatchObject({ allowPrivate: true, allowHosts: [], denyCidrs: [] })
  })

  test('parsed and normalised', () => {
    const config = loadConfig([], {
      AUTOMCP_ALLOW_PRIVATE: 'FALSE',
      AUTOMCP_ALLOW_HOSTS: ' MCP.lan, *.Corp.Example. ,10.0.0.5, fd00:0::5 ',
      AUTOMCP_DENY_CIDRS: '203.0.113.0/24, 2001:DB8:0::/32, 198.51.100.7',
    })
    expect(config.allowPrivate).toBe(false)
    expect(config.allowHosts).toEqual(['mcp.lan', '*.corp.example', '10.0.0.5', '[fd00::5]'])
    expect(config.denyCidrs).toEqual(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32'])
    expect(loadConfig([], { AUTOMCP_ALLOW_PRIVATE: '1' }).allowPrivate).toBe(true)
    expect(loadConfig([], { AUTOMCP_ALLOW_PRIVATE: '0' }).allowPrivate).toBe(false)
  })

  test.each([
    ['AUTOMCP_ALLOW_PRIVATE', 'no'],
    ['AUTOMCP_ALLOW_PRIVATE', 'yes please'],
    ['AUTOMCP_ALLOW_HOSTS', '*'],
    ['AUTOMCP_ALLOW_HOSTS', 'http://mcp.lan'],
    ['AUTOMCP_ALLOW_HOSTS', 'mcp.lan:8080'],
    ['AUTOMCP_ALLOW_HOSTS', '*.10.0.0.1'],
    ['AUTOMCP_ALLOW_HOSTS', 'a..b'],
    ['AUTOMCP_ALLOW_HOSTS', '10.1'],
    ['AUTOMCP_ALLOW_HOSTS', 'host.0x7f'],
    ['AUTOMCP_DENY_CIDRS', '10.0.0.1/8'],
    ['AUTOMCP_DENY_CIDRS', '10.0.0.0/33'],
    ['AUTOMCP_DENY_CIDRS', 'intranet'],
    ['AUTOMCP_DENY_CIDRS', '10.0.0.0/8;192.168.0.0/16'],
  ])('%s=%j is refused, naming the variable', (name, value) => {
    expect(() => loadConfig([], { [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig([], { [name]: value })).toThrow(name)
  })
})

/** A fetch that records where it was asked to connect, and fails the test if it is asked at all when `forbid`. */
function spyFetch(inner: FetchLike = fetch) {
  const calls: { url: string; host: string | null; serverName?: string }[] = []
  const spy: FetchLike = (input, init) => {
    const headers = new Headers(init?.headers)
    const tls = (init as { tls?: { serverName?: string } } | undefined)?.tls
    calls.push({ url: String(input), host: headers.get('host'), serverName: tls?.serverName })
    return inner(input, init)
  }
  return { calls, fetch: spy }
}

const resolver =
  (table: Record<string, string[]>) =>
  async (host: string): Promise<string[]> => {
    const found = table[host]
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return found
  }

const servers: { stop(force?: boolean): unknown }[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true)
})

/** A server that counts requests; `handler` answers them. */
function counting(hostname: string, handler: (req: Request) => Response | Promise<Response>) {
  const hits: Request[] = []
  const server = Bun.serve({
    port: 0,
    hostname,
    fetch(req) {
      hits.push(req)
      return handler(req)
    },
  })
  servers.push(server)
  return { hits, url: `http://${hostname}:${server.port}`, port: server.port }
}

describe('guarded fetch', () => {
  test('a name resolving to a blocked address is refused before any connection', async () => {
    const spy = spyFetch()
    const guarded = createGuardedFetch(policy(), {
      lookup: resolver({
        'metadata.test': ['169.254.169.254'],
        'mixed.test': ['93.184.216.34', 'fd00:ec2::254'],
      }),
      fetch: spy.fetch,
    })
    await expect(guarded('http://metadata.test/latest/meta-data/')).rejects.toBeInstanceOf(BlockedError)
    await expect(guarded('http://mixed.test/')).rejects.toThrow(
      'fd00:ec2::254 is a cloud metadata address (AWS)',
    )
    await expect(guarded('http://0xa9fea9fe/')).rejects.toThrow(BlockedError)
    await expect(guarded('http://[::ffff:169.254.169.254]/')).rejects.toThrow(BlockedError)
    await expect(guarded('file:///etc/passwd')).rejects.toThrow('only http and https')
    await Bun.sleep(0)
    expect(spy.calls).toEqual([])
  })

  test('connects to the address it checked, with the name as Host: no second lookup', async () => {
    const peer = counting('127.0.0.1', (req) => Response.json({ host: req.headers.get('host') }))
    let lookups = 0
    const spy = spyFetch()
    const guarded = createGuardedFetch(policy(), {
      lookup: async (host) => {
        lookups++
        expect(host).toBe('mcp.example.test')
        return ['127.0.0.1']
      },
      fetch: spy.fetch,
    })
    // mcp.example.test resolves nowhere but in this lookup: an answer proves the connection was pinned.
    const res = await guarded(`http://mcp.example.test:${peer.port}/health`)
    expect(await res.json()).toEqual({ host: `mcp.example.test:${peer.port}` })
    expect(res.url).toBe(`http://mcp.example.test:${peer.port}/health`)
    expect(lookups).toBe(1)
    expect(spy.calls).toEqual([
      {
        url: `http://127.0.0.1:${peer.port}/health`,
        host: `mcp.example.test:${peer.port}`,
        serverName: undefined,
      },
    ])
  })

  test('https: pinned to the address, with SNI and certificate checks for the name', async () => {
    const fixtures = join(import.meta.dir, 'fixtures')
    // A self-signed certificate for mcp.example.test, valid until 2126, made for this test only.
    const cert = await Bun.file(join(fixtures, 'mcp.example.test.crt')).text()
    const key = await Bun.file(join(fixtures, 'mcp.example.test.key')).text()
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      tls: { cert, key },
      fetch: () => new Response('secure'),
    })
    servers.push(server)
    const trusting: FetchLike = (input, init) =>
      fetch(input, { ...init, tls: { ...(init as { tls?: object }).tls, ca: cert } } as RequestInit)
    const guarded = createGuardedFetch(policy(), {
      lookup: resolver({ 'mcp.example.test': ['127.0.0.1'], 'evil.example.test': ['127.0.0.1'] }),
      fetch: trusting,
    })
    const res = await guarded(`https://mcp.example.test:${server.port}/`)
    expect(await res.text()).toBe('secure')
    // The same address under another name: the certificate does not match it, so the request fails.
    await expect(guarded(`https://evil.example.test:${server.port}/`)).rejects.toThrow(/ALTNAME|certificate/i)
  })

  test('redirects: each hop is checked; a hop to a metadata address is refused without connecting', async () => {
    const redirector = counting('127.0.0.1', (req) => {
      const path = new URL(req.url).pathname
      if (path === '/to-metadata') return Response.redirect('http://169.254.169.254/latest/meta-data/', 302)
      if (path === '/to-name') return Response.redirect('http://metadata.test/', 307)
      if (path === '/to-file') return Response.redirect('file:///etc/passwd', 302)
      if (path === '/loop') return Response.redirect('/loop', 302)
      return new Response('here')
    })
    const spy = spyFetch()
    const guarded = createGuardedFetch(policy(), {
      lookup: resolver({ 'metadata.test': ['169.254.169.254'] }),
      fetch: spy.fetch,
    })
    for (const path of ['/to-metadata', '/to-name', '/to-file'])
      for (const redirect of ['follow', 'manual'] as const)
        await expect(guarded(`${redirector.url}${path}`, { redirect })).rejects.toThrow(BlockedError)
    await Bun.sleep(50)
    expect(spy.calls.every((c) => c.url.startsWith(redirector.url))).toBe(true)
    await expect(guarded(`${redirector.url}/loop`)).rejects.toThrow('more than 5 redirects')
    await Bun.sleep(50)
    expect(spy.calls.filter((c) => c.url.endsWith('/loop'))).toHaveLength(6)
  })

  test('redirects between allowed servers are followed; credentials stay with their origin', async () => {
    const b = counting('127.0.0.1', async (req) =>
      Response.json({ method: req.method, body: await req.text(), auth: req.headers.get('authorization') }),
    )
    const a = counting('127.0.0.1', (req) => {
      const path = new URL(req.url).pathname
      if (path === '/same') return new Response(null, { status: 307, headers: { location: '/final' } })
      if (path === '/final')
        return Response.json({ method: req.method, auth: req.headers.get('authorization') })
      return new Response(null, {
        status: path === '/see-other' ? 303 : 307,
        headers: { location: `${b.url}/x` },
      })
    })
    const guarded = createGuardedFetch(policy())
    const init = { method: 'POST', body: '{"a":1}', headers: { authorization: 'Bearer s3cret' } }
    const same = await guarded(`${a.url}/same`, init)
    expect(await same.json()).toEqual({ method: 'POST', auth: 'Bearer s3cret' })
    expect(same.redirected).toBe(true)
    const cross = await guarded(`${a.url}/keep`, init)
    expect(await cross.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: null })
    const seeOther = await guarded(`${a.url}/see-other`, init)
    expect(await seeOther.json()).toEqual({ method: 'GET', body: '', auth: null })
    const manual = await guarded(`${a.url}/keep`, { ...init, redirect: 'manual' })
    expect(manual.status).toBe(307)
  })

  test('when one resolved address refuses, the next is tried', async () => {
    const peer = counting('127.0.0.1', () => new Response('v4'))
    const guarded = createGuardedFetch(policy(), { lookup: async () => ['::1', '127.0.0.1'] })
    expect(await (await guarded(`http://dual.test:${peer.port}/`)).text()).toBe('v4')
  })
})

describe('registration', () => {
  let api: TestApp
  afterEach(() => api?.stop())

  test('every blocked form is refused with 422 url_blocked, naming the field', async () => {
    api = await startApp()
    const answers: Record<string, unknown> = {}
    for (const url of alwaysBlocked) {
      const res = await api.post('/servers/register', { id: 's', name: 'S', url })
      const body = await json(res)
      answers[url] =
        res.status === 422 &&
        body.code === 'url_blocked' &&
        body.detail.startsWith('body field "url" is not allowed: ')
          ? 'refused'
          : body
    }
    expect(answers).toEqual(Object.fromEntries(alwaysBlocked.map((url) => [url, 'refused'])))
    expect((await api.request('/servers/s')).status).toBe(404)
  })

  test('PATCH refuses a blocked URL and keeps the old one', async () => {
    api = await startApp()
    expect(
      (await api.post('/servers/register', { id: 's', name: 'S', url: 'http://127.0.0.1:3001/mcp' })).status,
    ).toBe(201)
    for (const url of ['http://2852039166/', 'http://0xa9fea9fe/', 'http://[::ffff:169.254.169.254]/']) {
      const res = await api.patch('/servers/s', { url })
      expect(res.status).toBe(422)
      expect(await json(res)).toMatchObject({ code: 'url_blocked' })
    }
    expect((await api.getJson('/servers/s')).url).toBe('http://127.0.0.1:3001/mcp')
  })

  test('with AUTOMCP_ALLOW_PRIVATE=false, private literals are refused; names are checked when probed', async () => {
    api = await startApp({ config: { allowPrivate: false } })
    for (const url of privateForms)
      expect((await api.post('/servers/register', { name: 'S', url })).status).toBe(422)
    expect((await api.post('/servers/register', { name: 'S', url: 'http://8.8.8.8/mcp' })).status).toBe(201)
    expect(
      (await api.post('/servers/register', { name: 'S', url: 'http://localhost:3001/mcp' })).status,
    ).toBe(201)
  })
})

describe('probes', () => {
  let api: TestApp
  afterEach(() => api?.stop())

  const testNow = async (id: string) => json(await api.request(`/servers/${id}/test`, { method: 'POST' }))
  const register = (body: Record<string, unknown>) =>
    api.post('/servers/register', { name: 'S', failure_threshold: 1, ...body })

  test('local servers are still checked by default', async () => {
    const peer = healthServer()
    try {
      api = await startApp()
      await register({ id: 'h', url: peer.url, transport: 'http' })
      await register({ id: 'n', url: peer.url.replace('127.0.0.1', 'localhost'), transport: 'http' })
      expect(await testNow('h')).toMatchObject({ success: true, status: 'healthy' })
      expect(await testNow('n')).toMatchObject({ success: true, status: 'healthy' })
    } finally {
      peer.stop()
    }
  })

  test.each(['http', 'auto'] as const)(
    '%s: a name that resolves to loopback is blocked with AUTOMCP_ALLOW_PRIVATE=false, and never contacted',
    async (transport) => {
      const peer = counting('127.0.0.1', () => Response.json({ status: 'ok' }))
      api = await startApp({ config: { allowPrivate: false } })
      await register({ id: 'local', url: `http://localhost:${peer.port}/mcp`, transport })
      const result = await testNow('local')
      expect(result).toMatchObject({ success: false, status: 'unhealthy', status_reason: 'blocked' })
      expect(result.error_message).toContain('127.0.0.1 is loopback and AUTOMCP_ALLOW_PRIVATE=false')
      expect(peer.hits).toHaveLength(0)
      expect(await api.getJson('/servers/local')).toMatchObject({
        status: 'unhealthy',
        status_reason: 'blocked',
      })
    },
  )

  test('AUTOMCP_ALLOW_HOSTS lets a named host through; AUTOMCP_DENY_CIDRS blocks a name resolving into it', async () => {
    const peer = counting('127.0.0.1', () => Response.json({ status: 'ok' }))
    api = await startApp({ config: { allowPrivate: false, allowHosts: ['localhost'] } })
    await register({ id: 'ok', url: `http://localhost:${peer.port}`, transport: 'http' })
    expect(await testNow('ok')).toMatchObject({ success: true, status: 'healthy' })
    await api.stop()
    api = await startApp({ config: { allowHosts: ['localhost'], denyCidrs: ['127.0.0.0/8'] } })
    await register({ id: 'denied', url: `http://localhost:${peer.port}`, transport: 'http' })
    expect(await testNow('denied')).toMatchObject({ status: 'unhealthy', status_reason: 'blocked' })
    expect(peer.hits).toHaveLength(1)
  })

  test.each(['http', 'streamable-http', 'sse', 'auto'] as const)(
    '%s: a redirect from an allowed server to the metadata address is blocked',
    async (transport) => {
      const redirector = counting('127.0.0.1', () =>
        Response.redirect('http://169.254.169.254/latest/meta-data/iam/security-credentials/', 307),
      )
      api = await startApp()
      await register({ id: 'r', url: `${redirector.url}/mcp`, transport })
      const result = await testNow('r')
      expect(result).toMatchObject({ success: false, status: 'unhealthy', status_reason: 'blocked' })
      expect(result.error_message).toContain('169.254.169.254 is link-local')
      expect(redirector.hits.length).toBeGreaterThan(0)
    },
  )

  test('a redirect to a denied live server never reaches it', async () => {
    const target = counting('127.0.0.2', () => Response.json({ status: 'ok' }))
    const redirector = counting('127.0.0.1', () => Response.redirect(`${target.url}/health`, 302))
    api = await startApp({ config: { denyCidrs: ['127.0.0.2/32'] } })
    for (const transport of ['http', 'streamable-http', 'sse'] as const) {
      await register({ id: transport, url: redirector.url, transport })
      expect(await testNow(transport)).toMatchObject({ status: 'unhealthy', status_reason: 'blocked' })
    }
    expect(target.hits).toHaveLength(0)
  })
})
