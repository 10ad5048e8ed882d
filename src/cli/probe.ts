import type { Config } from '../config'
import { createMcpSessions, createProber } from '../modules/mcp/client'
import { type Transport, transports } from '../shared/domain'
import { createGuardedFetch } from '../shared/guarded-fetch'
import { createPolicy } from '../shared/ssrf'
import { httpUrlProblem } from '../shared/url'
import { fail } from './fail'

export type ProbeArgs = { url: string; transport: Transport; headers: Record<string, string>; rest: string[] }

/** `probe <url> [--transport t] [--header 'Name: value']…`; other arguments are settings for loadConfig. */
export function parseProbeArgs(args: string[]): ProbeArgs {
  const headers: Record<string, string> = {}
  const rest: string[] = []
  let url: string | undefined
  let transport: Transport = 'auto'
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined]
    if (name === '--transport' || name === '--header') {
      const value = inline ?? args[++i]
      if (value === undefined) fail(`${name} needs a value`)
      if (name === '--transport') {
        if (!transports.includes(value as Transport))
          fail(`--transport must be one of ${transports.join(', ')}, got "${value}"`)
        transport = value as Transport
      } else {
        const colon = value.indexOf(':')
        if (colon < 1) fail(`--header must look like "Name: value", got "${value}"`)
        headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim()
      }
    } else if (!arg.startsWith('-') && url === undefined) url = arg
    else rest.push(arg)
  }
  if (!url) fail('probe needs a URL: automcp probe <url> [--transport auto|streamable-http|sse|http]')
  // The rules of a registered URL; credentials go in --header here.
  const problem = httpUrlProblem(url)
  if (problem) fail(`probe: the URL ${problem.replace('`headers`', '--header')}, got "${url}"`)
  return { url, transport, headers, rest }
}

/**
 * `automcp probe <url>`: the monitor's check, run once, with no server and no database: prints what it
 * found as JSON and exits 0 when the server is healthy, 1 otherwise. For trying a server before
 * registering it. The SSRF guard applies, with the configured rules.
 */
export async function probeCommand(config: Config, { url, transport, headers }: ProbeArgs) {
  const guarded = createGuardedFetch(
    createPolicy({
      allowPrivate: config.allowPrivate,
      allowHosts: config.allowHosts,
      denyCidrs: config.denyCidrs,
    }),
  )
  const sessions = createMcpSessions({ fetch: guarded })
  const probe = createProber({ sessions, slowMs: config.slowMs, fetch: guarded })
  const outcome = await probe({ id: 'probe', url, transport, headers, timeoutMs: config.checkTimeoutMs })
  await sessions.closeAll()
  console.log(
    JSON.stringify(
      {
        url,
        transport: outcome.transport ?? null,
        status: outcome.status,
        reason: outcome.reason,
        latency_ms: outcome.latencyMs,
        handshake_ms: outcome.handshakeMs ?? null,
        error: outcome.error,
        capabilities: outcome.capabilities ?? null,
      },
      null,
      2,
    ),
  )
  process.exit(outcome.status === 'healthy' ? 0 : 1)
}
