import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

/**
 * A `fetch` for talking to registered servers, built on node:http. Bun's global fetch queues everything
 * past 256 requests in flight, so 500 silent servers would stall the checks of all the others; these
 * agents have no such cap (the scheduler's concurrency cap bounds sockets instead). Redirects are never
 * followed. `lookup` is where name resolution can be checked before connecting.
 */
export function createOutboundFetch({ lookup }: { lookup?: http.RequestOptions['lookup'] } = {}) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, ...(lookup ? { lookup } : {}) }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, ...(lookup ? { lookup } : {}) }),
  }

  async function outboundFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request ? request.url : String(input))
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`)
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase()
    const headers = new Headers(init.headers ?? request?.headers)
    const body = init.body ?? (request?.body ? await request.arrayBuffer() : undefined)
    const payload = body === undefined || body === null ? undefined : Buffer.from(await new Response(body).arrayBuffer())
    const signal = init.signal ?? request?.signal
    signal?.throwIfAborted()

    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        headers: Object.fromEntries(headers),
        agent: agents[url.protocol as 'http:' | 'https:'],
      })
      const abort = () => req.destroy(signal?.reason ?? new DOMException('aborted', 'AbortError'))
      signal?.addEventListener('abort', abort, { once: true })
      req.on('error', (e) => {
        signal?.removeEventListener('abort', abort)
        reject(e)
      })
      req.on('response', (res: IncomingMessage) => {
        res.on('close', () => signal?.removeEventListener('abort', abort))
        const status = res.statusCode ?? 502
        const responseHeaders = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v)
          else if (value !== undefined) responseHeaders.set(name, value)
        }
        const noBody = method === 'HEAD' || status === 204 || status === 304
        if (noBody) res.resume()
        resolve(
          new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage,
            headers: responseHeaders,
          }),
        )
      })
      req.end(payload)
    })
  }

  return Object.assign(outboundFetch, {
    close() {
      agents['http:'].destroy()
      agents['https:'].destroy()
    },
  })
}
