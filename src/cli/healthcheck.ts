import type { Config } from '../config'

/**
 * `automcp healthcheck`: GET /health of the instance this configuration describes; exit 0 when it answers
 * 200, 1 otherwise. For Docker's HEALTHCHECK, in images without curl.
 */
export async function healthcheck(config: Config) {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/health`
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) })
    console.log(`${url}: ${res.status} ${await res.text()}`)
    process.exit(res.status === 200 ? 0 : 1)
  } catch (e) {
    console.log(`${url}: ${(e as Error).message}`)
    process.exit(1)
  }
}
