import type { FetchLike } from '../../shared/guarded-fetch'
import { authReason, type ProbeOutcome } from './outcome'

export type { FetchLike } from '../../shared/guarded-fetch'

/**
 * `{url}/health` as the seed meant it, joined by the URL API: `/health` goes on the end of the path, and
 * a query (`?token=…`) stays a query instead of swallowing it.
 */
export function healthUrl(url: string): URL {
  const health = new URL(url)
  health.pathname = `${health.pathname.replace(/\/+$/, '')}/health`
  health.hash = ''
  return health
}

/** The seed's check: `GET {url}/health`; 200 is healthy and its body may carry `capabilities`. */
export async function probeHttp(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  fetchFn: FetchLike = fetch,
): Promise<ProbeOutcome> {
  const started = performance.now()
  const res = await fetchFn(healthUrl(url), { headers, signal, redirect: 'manual' })
  const latencyMs = performance.now() - started
  if (res.status !== 200) {
    await res.body?.cancel()
    const auth = authReason(res.status, res.headers.get('www-authenticate'))
    return {
      // A refusal is a failure; a server asking for credentials, or answering another status, is up.
      status: auth === 'forbidden' ? 'unhealthy' : 'degraded',
      reason: auth ?? `http_${res.status}`,
      latencyMs,
      error: `HTTP ${res.status}`,
      transport: 'http',
    }
  }
  const body = (await res.json().catch(() => null)) as { capabilities?: unknown } | null
  const capabilities =
    body && typeof body.capabilities === 'object' && body.capabilities !== null
      ? (body.capabilities as Record<string, unknown>)
      : {}
  return { status: 'healthy', reason: null, latencyMs, error: null, capabilities, transport: 'http' }
}
