// The conformance suite's client: `conformance client --command "bun test/conformance/adapter.ts"` starts
// this with the scenario's server URL as its last argument. It drives a running AutoMCP (AUTOMCP_URL,
// AUTOMCP_KEY) through its API exactly as a user would: register the server (with the scenario's client
// credentials, when it gives them), authorize it in a "browser" (a fetch that follows the authorization
// server's redirects back to AutoMCP's callback), wait for it to be healthy, and call its tool.

const base = process.env.AUTOMCP_URL as string
const key = process.env.AUTOMCP_KEY as string
const url = process.argv.at(-1) as string
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ''
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Record<string, string>
const id = `conformance-${crypto.randomUUID().slice(0, 8)}`
// The suite gives a client 30 s: every wait here ends well before.
const deadline = Date.now() + 20_000

const log = (...what: unknown[]) => console.error('[adapter]', ...what)

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

/** What the scenario's context says of the client, as AutoMCP's `oauth` setting. */
function oauthSetting(): Record<string, unknown> | undefined {
  if (!scenario.startsWith('auth/')) return undefined
  if (context.private_key_pem)
    return {
      grant: 'client_credentials',
      client_id: context.client_id,
      private_key_pem: context.private_key_pem,
      signing_alg: context.signing_algorithm,
    }
  if (scenario.startsWith('auth/client-credentials'))
    return { grant: 'client_credentials', client_id: context.client_id, client_secret: context.client_secret }
  if (context.client_id) return { client_id: context.client_id, client_secret: context.client_secret }
  return {}
}

/** The user's browser: follows the authorization server's redirects until AutoMCP's callback answers. */
async function browse(start: string): Promise<number> {
  let next = start
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' })
    const location = res.headers.get('location')
    if (res.status < 300 || res.status >= 400 || !location) {
      log('browser stopped at', next.split('?')[0], res.status)
      return res.status
    }
    next = new URL(location, next).href
  }
  throw new Error('too many redirects')
}

async function authorize(): Promise<boolean> {
  const begun = await api('POST', `/servers/${id}/authorize`)
  if (begun.status !== 200) {
    log('authorize refused:', begun.status, begun.body?.detail)
    return false
  }
  return (await browse(begun.body.authorization_url)) === 200
}

const server = async () => (await api('GET', `/servers/${id}`)).body
const check = () => api('POST', `/servers/${id}/test`)

/** The tool the scenario wants called, if its server offers one. */
const wanted: Record<string, Record<string, unknown>> = {
  add_numbers: { a: 2, b: 3 },
  'test-tool': {},
  test_reconnection: {},
  test_client_elicitation_defaults: {},
}

async function callTool(): Promise<{ ok: boolean; auth?: boolean }> {
  const listed = await api('GET', `/servers/${id}/tools`)
  if (listed.status !== 200) return { ok: false, auth: true }
  const tool = (listed.body.data as { name: string }[]).find((t) => t.name in wanted)
  if (!tool) return { ok: true }
  const called = await api('POST', `/servers/${id}/tools/${tool.name}/call`, { arguments: wanted[tool.name] })
  log('called', tool.name, called.status, JSON.stringify(called.body).slice(0, 200))
  return { ok: called.status === 200 && called.body.ok, auth: called.status !== 200 }
}

async function main(): Promise<number> {
  const oauth = oauthSetting()
  const registered = await api('POST', '/servers/register', {
    id,
    name: scenario,
    url,
    transport: 'streamable-http',
    failure_threshold: 1,
    timeout_ms: 10_000,
    ...(oauth ? { oauth } : {}),
  })
  if (registered.status !== 201) {
    log('register failed', registered.body)
    return 1
  }
  try {
    await check()
    const interactive = oauth && oauth.grant !== 'client_credentials'
    for (let round = 0; Date.now() < deadline; round++) {
      const s = await server()
      log('round', round, s.status, s.status_reason, JSON.stringify(s.auth))
      if (interactive && s.auth.state !== 'authorized') {
        if (s.auth.state === 'error' || round >= 3) return 1
        if (!(await authorize())) return 1
        await check()
        continue
      }
      const called = await callTool()
      if (called.ok) return 0
      if (!called.auth || !interactive) return 1
      // A 403 insufficient_scope marks the server unauthorized again: authorize with more scope.
      await check()
      const after = await server()
      if (after.auth.state !== 'unauthorized') return 1
    }
    return 1
  } finally {
    await api('DELETE', `/servers/${id}`)
  }
}

process.exit(
  await main().catch((e) => {
    log(e)
    return 1
  }),
)

export {}
