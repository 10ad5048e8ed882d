import { lookup as dnsLookup } from 'node:dns/promises'
import { formatIp, type Ip, parseIp, type Refusal } from './ssrf'

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>
/** Every address a host name resolves to, in the order the system prefers. */
export type Lookup = (host: string) => Promise<string[]>

/** The guard refused a request; `classify` reports it as reason `blocked`. */
export class BlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED'
  constructor(url: URL, why: string) {
    super(`${blockedPrefix}${url.protocol}//${url.host} refused: ${why}`)
    this.name = 'BlockedError'
  }
}
/** How a BlockedError's message starts; it is all that survives the MCP SDK's SSE transport. */
export const blockedPrefix = 'SSRF guard: '

const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address)

const redirectStatuses = new Set([301, 302, 303, 307, 308])
// Fetch spec: headers dropped when a redirect leaves the origin, and when a redirect turns a request into a GET.
const credentialHeaders = ['authorization', 'cookie', 'proxy-authorization']
const bodyHeaders = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
]

/**
 * `fetch` for registered URLs, behind the SSRF guard. Each request resolves its host, checks every
 * address it resolves to, and connects to a checked address (rewriting the URL to it, sending the name
 * as `Host` and, for https, as TLS SNI and the name the certificate must match), so no second lookup
 * happens that DNS rebinding could answer differently. Redirects are followed here, one checked hop at a
 * time (at most `maxRedirects`); with `redirect: 'manual'` they are returned, unless they point at a
 * blocked address, which throws like a blocked request would.
 */
export function createGuardedFetch(
  refusal: Refusal,
  { lookup = systemLookup, fetch: fetchFn = fetch as FetchLike, maxRedirects = 5 } = {},
): FetchLike {
  /** The checked addresses to connect to for `url`; a literal address is its own. */
  async function resolve(url: URL, signal: AbortSignal | null | undefined): Promise<Ip[]> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new BlockedError(url, 'only http and https are allowed')
    const literal = parseIp(url.hostname)
    const addresses = literal
      ? [literal]
      : (await abortable(lookup(url.hostname.replace(/\.$/, '')), signal)).map((a) => {
          const ip = parseIp(a)
          if (!ip) throw new Error(`DNS gave "${a}" for ${url.hostname}, which is not an address`)
          return ip
        })
    if (addresses.length === 0)
      throw Object.assign(new Error(`no address for ${url.hostname}`), { code: 'ENOTFOUND' })
    for (const ip of addresses) {
      const why = refusal(ip, url.hostname)
      if (why) throw new BlockedError(url, why)
    }
    return literal ? [] : addresses
  }

  async function pinned(url: URL, init: RequestInit): Promise<Response> {
    const addresses = await resolve(url, init.signal)
    if (addresses.length === 0) return fetchFn(url, init) // an address already: nothing to look up
    const headers = new Headers(init.headers)
    if (!headers.has('host')) headers.set('host', url.host) // a registered Host header stands
    // SNI and certificate verification stay with the name (Bun: `tls.serverName` sets both).
    const tls = url.protocol === 'https:' ? { tls: { serverName: url.hostname.replace(/\.$/, '') } } : {}
    for (const [i, ip] of addresses.entries()) {
      const target = new URL(url)
      target.hostname = ip.version === 6 ? `[${formatIp(ip)}]` : formatIp(ip)
      try {
        return await fetchFn(target, { ...init, headers, ...tls })
      } catch (e) {
        // Like a browser, try the next address when one refuses or cannot be reached.
        if (i === addresses.length - 1 || init.signal?.aborted || !unreachable(e)) throw e
      }
    }
    throw new Error('unreachable')
  }

  return async function guardedFetch(input, init = {}) {
    const mode = init.redirect ?? 'follow'
    let url = new URL(input)
    let request: RequestInit = { ...init, redirect: 'manual' }
    for (let hop = 0; ; hop++) {
      const response = labelled(await pinned(url, request), url, hop > 0)
      const location = response.headers.get('location')
      if (!redirectStatuses.has(response.status) || location === null) return response
      const next = URL.parse(location, url.href)
      if (mode === 'manual') {
        // Not followed here; but a server pointing us at a blocked address is reported as such.
        if (next) await resolve(next, request.signal).catch(onlyBlocked(response))
        return response
      }
      await response.body?.cancel()
      if (mode === 'error') throw new TypeError(`fetch: redirected from ${url.href} (redirect: 'error')`)
      if (!next) throw new TypeError(`fetch: bad redirect location "${location}" from ${url.href}`)
      if (hop === maxRedirects)
        throw new TypeError(`fetch: more than ${maxRedirects} redirects from ${input}`)
      request = redirected(request, response.status, url, next)
      url = next
    }
  }
}

/** The request for the next hop, as the Fetch standard (and undici) build it. */
function redirected(init: RequestInit, status: number, from: URL, to: URL): RequestInit {
  const headers = new Headers(init.headers)
  if (from.origin !== to.origin) for (const h of ['host', ...credentialHeaders]) headers.delete(h)
  const method = (init.method ?? 'GET').toUpperCase()
  if (
    (status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST')
  ) {
    for (const h of bodyHeaders) headers.delete(h)
    return { ...init, method: 'GET', body: null, headers }
  }
  if (init.body instanceof ReadableStream)
    throw new TypeError('fetch: cannot resend a streamed body to a redirect')
  return { ...init, headers }
}

/** The response as the caller's URL answered it, not the address it went to. */
function labelled(response: Response, url: URL, redirected: boolean): Response {
  Object.defineProperty(response, 'url', { value: url.href })
  if (redirected) Object.defineProperty(response, 'redirected', { value: true })
  return response
}

const onlyBlocked = (response: Response) => async (e: unknown) => {
  if (!(e instanceof BlockedError)) return
  await response.body?.cancel()
  throw e
}

const unreachable = (e: unknown) => {
  const code = (e as { code?: unknown })?.code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ConnectionRefused' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH'
  )
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}
