import { createHash, randomBytes } from 'node:crypto'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'

export type OAuthServer = Awaited<ReturnType<typeof oauthServer>>

type Client = { client_id: string; client_secret?: string; redirect_uris?: string[] }
type Access = { clientId: string; scope: string; expiresAt: number }
type Refresh = { clientId: string; scope: string }
type Code = { clientId: string; challenge: string; redirectUri: string; scope: string }

const supported = ['mcp:basic', 'mcp:write', 'mcp:admin', 'offline_access']
const random = (prefix: string) => `${prefix}-${randomBytes(18).toString('base64url')}`
const form = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store' } })

/**
 * An OAuth 2.1 authorization server and an MCP resource server it protects, on one port, scripted for
 * tests: RFC 8414 and RFC 9728 metadata, dynamic registration (RFC 7591), an /authorize that consents at
 * once (redirects back with a code), a token endpoint checking PKCE S256 and client secrets (basic or
 * post), rotating refresh tokens, revocation (RFC 7009), and the SDK's MCP server behind a bearer check
 * that can demand scopes per tool (403 insufficient_scope, for step-up). Everything it saw is kept in
 * `seen`; `settings` change what it does next.
 */
export async function oauthServer({
  tools = { read: ['mcp:basic'] } as Record<string, string[]>,
  stubborn = [] as string[],
  clients = [] as Client[],
  expiresIn = 3_600,
  /** Whether the server lists `offline_access` (without it AutoMCP asks for no refresh token). */
  offline = true,
  /** Tools whose 401 is answered only after the next refresh: a request that crossed another's refresh. */
  late = [] as string[],
} = {}) {
  const settings = {
    expiresIn,
    deny: false,
    /** While set, a refresh request waits for it before it is answered. */
    refreshGate: undefined as Promise<void> | undefined,
  }
  const seen = {
    authorizations: [] as URLSearchParams[],
    tokens: [] as { grant: string; auth: 'basic' | 'post' | 'none'; scope: string }[],
    registrations: [] as Client[],
    revoked: [] as string[],
    /** The access tokens the resource server accepted. */
    bearers: [] as string[],
    /** 401s held back (`late`) until the next refresh. */
    held: 0,
    /** Refresh requests waiting at `settings.refreshGate`. */
    gated: 0,
  }
  let refreshed = Promise.withResolvers<void>()
  const issued: { access_token: string; refresh_token?: string; expiresAt: number }[] = []
  const registered = new Map(clients.map((c) => [c.client_id, c]))
  const codes = new Map<string, Code>()
  const access = new Map<string, Access>()
  const refresh = new Map<string, Refresh>()

  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req) => route(req) })
  const base = `http://127.0.0.1:${server.port}`
  const prm = `${base}/.well-known/oauth-protected-resource/mcp`

  function issue(clientId: string, scope: string, withRefresh: boolean) {
    const tokens = { access_token: random('at'), ...(withRefresh ? { refresh_token: random('rt') } : {}) }
    access.set(tokens.access_token, { clientId, scope, expiresAt: Date.now() + settings.expiresIn * 1_000 })
    if (tokens.refresh_token) refresh.set(tokens.refresh_token, { clientId, scope })
    issued.push({ ...tokens, expiresAt: Date.now() + settings.expiresIn * 1_000 })
    return form(200, { ...tokens, token_type: 'Bearer', expires_in: settings.expiresIn, scope })
  }

  /** The client a request authenticates as (Basic header, or id and secret in the body); null if refused. */
  function clientOf(req: Request, body: URLSearchParams) {
    const basic = req.headers.get('authorization')?.match(/^Basic (.+)$/i)?.[1]
    const [id, secret] = basic
      ? atob(basic).split(':').map(decodeURIComponent)
      : [body.get('client_id') ?? '', body.get('client_secret') ?? undefined]
    const client = registered.get(id ?? '')
    if (!client || (client.client_secret && client.client_secret !== secret)) return null
    return { client, auth: basic ? ('basic' as const) : secret ? ('post' as const) : ('none' as const) }
  }

  const granted = (asked: string | null) =>
    (asked ?? '')
      .split(' ')
      .filter((s) => supported.includes(s))
      .join(' ') || 'mcp:basic'

  async function token(req: Request) {
    const body = new URLSearchParams(await req.text())
    const who = clientOf(req, body)
    if (!who) return form(401, { error: 'invalid_client' })
    const grant = body.get('grant_type') ?? ''
    seen.tokens.push({ grant, auth: who.auth, scope: body.get('scope') ?? '' })
    const id = who.client.client_id
    if (grant === 'authorization_code') {
      const code = codes.get(body.get('code') ?? '')
      codes.delete(body.get('code') ?? '')
      const verifier = createHash('sha256')
        .update(body.get('code_verifier') ?? '')
        .digest('base64url')
      if (
        !code ||
        code.clientId !== id ||
        code.challenge !== verifier ||
        code.redirectUri !== body.get('redirect_uri')
      )
        return form(400, { error: 'invalid_grant' })
      return issue(id, code.scope, code.scope.split(' ').includes('offline_access'))
    }
    if (grant === 'refresh_token') {
      if (settings.refreshGate) {
        seen.gated++
        await settings.refreshGate
      }
      const old = refresh.get(body.get('refresh_token') ?? '')
      if (!old || old.clientId !== id)
        return form(400, { error: 'invalid_grant', error_description: 'revoked' })
      refresh.delete(body.get('refresh_token') ?? '')
      refreshed.resolve()
      refreshed = Promise.withResolvers<void>()
      return issue(id, old.scope, true)
    }
    if (grant === 'client_credentials' && who.auth !== 'none')
      return issue(id, granted(body.get('scope')), false)
    return form(400, { error: 'unsupported_grant_type' })
  }

  function authorize(url: URL) {
    const q = url.searchParams
    seen.authorizations.push(q)
    const client = registered.get(q.get('client_id') ?? '')
    const redirectUri = q.get('redirect_uri') ?? ''
    if (
      !client ||
      q.get('code_challenge_method') !== 'S256' ||
      (client.redirect_uris && !client.redirect_uris.includes(redirectUri))
    )
      return new Response('bad authorization request', { status: 400 })
    const back = new URL(redirectUri)
    back.searchParams.set('state', q.get('state') ?? '')
    back.searchParams.set('iss', base)
    if (settings.deny) back.searchParams.set('error', 'access_denied')
    else {
      const code = random('code')
      const challenge = q.get('code_challenge') ?? ''
      codes.set(code, { clientId: client.client_id, challenge, redirectUri, scope: granted(q.get('scope')) })
      back.searchParams.set('code', code)
    }
    return Response.redirect(back.href, 302)
  }

  async function register(req: Request) {
    const body = (await req.json()) as Record<string, unknown>
    const client = { ...body, client_id: random('client'), client_secret: random('secret') } as Client
    registered.set(client.client_id, client)
    seen.registrations.push(client)
    return form(201, { ...client, token_endpoint_auth_method: 'client_secret_basic' })
  }

  async function revoke(req: Request) {
    const body = new URLSearchParams(await req.text())
    if (!clientOf(req, body)) return form(401, { error: 'invalid_client' })
    const t = body.get('token') ?? ''
    seen.revoked.push(t)
    access.delete(t)
    refresh.delete(t)
    return new Response(null, { status: 200 })
  }

  async function mcp(req: Request) {
    const bearer = req.headers.get('authorization')?.match(/^Bearer (.+)$/i)?.[1] ?? ''
    const held = access.get(bearer)
    const body =
      req.method === 'POST' ? ((await req.json()) as { method?: string; params?: { name?: string } }) : {}
    const tool = body.method === 'tools/call' ? (body.params?.name ?? '') : undefined
    if (!held || held.expiresAt <= Date.now()) {
      if (tool !== undefined && late.includes(tool)) {
        seen.held++
        await refreshed.promise
      }
      return new Response('unauthorized', {
        status: 401,
        headers: { 'www-authenticate': `Bearer resource_metadata="${prm}", scope="mcp:basic"` },
      })
    }
    if (req.method !== 'POST') return new Response(null, { status: 405 })
    const scopes = held.scope.split(' ')
    const needs = tool === undefined ? [] : (tools[tool] ?? [])
    if (tool !== undefined && (stubborn.includes(tool) || needs.some((s) => !scopes.includes(s)))) {
      const scope = [...new Set([...scopes.filter((s) => s !== 'offline_access'), ...needs])].join(' ')
      const header = `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${prm}"`
      return new Response('insufficient scope', { status: 403, headers: { 'www-authenticate': header } })
    }
    seen.bearers.push(bearer)
    const mcpServer = new McpServer({ name: 'oauth-scripted', version: '1.0.0' })
    for (const name of Object.keys(tools))
      mcpServer.registerTool(name, { description: `needs ${tools[name]?.join(' ')}` }, async () => ({
        content: [{ type: 'text', text: `${name} done` }],
      }))
    // Stateless: a server and a transport per request, as the conformance suite's servers do.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
    await mcpServer.connect(transport)
    return transport.handleRequest(req, { parsedBody: body })
  }

  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url)
    switch (url.pathname) {
      case '/.well-known/oauth-protected-resource/mcp':
        return Response.json({
          resource: `${base}/mcp`,
          authorization_servers: [base],
          scopes_supported: ['mcp:basic', 'mcp:write'],
        })
      case '/.well-known/oauth-authorization-server':
        return Response.json({
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          registration_endpoint: `${base}/register`,
          revocation_endpoint: `${base}/revoke`,
          authorization_response_iss_parameter_supported: true,
          scopes_supported: offline ? supported : supported.filter((s) => s !== 'offline_access'),
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        })
      case '/authorize':
        return authorize(url)
      case '/token':
        return token(req)
      case '/register':
        return register(req)
      case '/revoke':
        return revoke(req)
      case '/mcp':
        return mcp(req)
    }
    return new Response('not here', { status: 404 })
  }

  return {
    url: `${base}/mcp`,
    base,
    seen,
    issued,
    settings,
    /** Access tokens stop working, and refresh tokens too unless only `access` (a user revoked the grant). */
    invalidate(what: 'all' | 'access' = 'all') {
      access.clear()
      if (what === 'all') refresh.clear()
    },
    stop: () => server.stop(true),
  }
}
