import type { Config } from '../config'
import { createMcpSessions, createProber } from '../modules/mcp/client'
import { type StdioCommand, type Transport, transports } from '../shared/domain'
import { createGuardedFetch } from '../shared/guarded-fetch'
import { createPolicy } from '../shared/ssrf'
import { httpUrlProblem } from '../shared/url'
import { fail } from './fail'

export type ProbeArgs = {
  url: string
  transport: Transport
  headers: Record<string, string>
  /** `-- <command> [args…]`: a stdio server to start and check instead of a URL. */
  stdio?: StdioCommand
  rest: string[]
}

const usage =
  'probe needs a URL or a command: automcp probe <url> [--transport auto|streamable-http|sse|http] [--header "Name: value"], or automcp probe [--env NAME=value] [--cwd DIR] -- <command> [args…]'

/**
 * `probe <url> [--transport t] [--header 'Name: value']…` or `probe [--env N=v]… [--cwd d] -- <command>
 * [args…]`; other arguments are settings for loadConfig.
 */
export function parseProbeArgs(args: string[]): ProbeArgs {
  const headers: Record<string, string> = {}
  const env: Record<string, string> = {}
  const rest: string[] = []
  let url: string | undefined
  let cwd: string | null = null
  let transport: Transport = 'auto'
  const dashes = args.indexOf('--')
  const own = dashes === -1 ? args : args.slice(0, dashes)
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] as string
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined]
    if (name === '--transport' || name === '--header' || name === '--env' || name === '--cwd') {
      const value = inline ?? own[++i]
      if (value === undefined) fail(`${name} needs a value`)
      if (name === '--transport') {
        if (!transports.includes(value as Transport))
          fail(`--transport must be one of ${transports.join(', ')}, got "${value}"`)
        transport = value as Transport
      } else if (name === '--cwd') cwd = value
      else {
        const sep = name === '--env' ? '=' : ':'
        const at = value.indexOf(sep)
        if (at < 1)
          fail(`${name} must look like "${name === '--env' ? 'NAME=value' : 'Name: value'}", got "${value}"`)
        const into = name === '--env' ? env : headers
        into[value.slice(0, at).trim()] = value.slice(at + 1).trim()
      }
    } else if (!arg.startsWith('-') && url === undefined) url = arg
    else rest.push(arg)
  }
  if (dashes !== -1) {
    const [command, ...commandArgs] = args.slice(dashes + 1)
    if (!command || url !== undefined) fail(usage)
    return { url: '', transport: 'stdio', headers, stdio: { command, args: commandArgs, env, cwd }, rest }
  }
  if (!url) fail(usage)
  // The rules of a registered URL; credentials go in --header here.
  const problem = httpUrlProblem(url)
  if (problem) fail(`probe: the URL ${problem.replace('`headers`', '--header')}, got "${url}"`)
  return { url, transport, headers, rest }
}

/**
 * `automcp probe <url>`: the monitor's check, run once, with no server and no database: prints what it
 * found as JSON and exits 0 when the server is healthy, 1 otherwise. For trying a server before
 * registering it. The SSRF guard applies, with the configured rules. With `-- <command>`, the command is
 * started as a stdio server would be (its own process group, the safe environment plus `--env`) and
 * ended after the check, with its stderr printed after the JSON when the check failed.
 */
export async function probeCommand(config: Config, { url, transport, headers, stdio }: ProbeArgs) {
  const guarded = createGuardedFetch(
    createPolicy({
      allowPrivate: config.allowPrivate,
      allowHosts: config.allowHosts,
      denyCidrs: config.denyCidrs,
    }),
  )
  // Whoever runs the command line may run the program anyway: no stdio setting stands in the way.
  const sessions = createMcpSessions({
    fetch: guarded,
    stdio: { enabled: true, commands: [], maxChildren: 1 },
  })
  const probe = createProber({ sessions, slowMs: config.slowMs, fetch: guarded })
  const outcome = await probe({
    id: 'probe',
    url,
    transport,
    headers,
    ...(stdio ? { stdio, generation: 0 } : {}),
    timeoutMs: config.checkTimeoutMs,
  })
  const logs = sessions.logs('probe', 20)
  await sessions.closeAll()
  console.log(
    JSON.stringify(
      {
        ...(stdio ? { command: [stdio.command, ...stdio.args] } : { url }),
        transport: outcome.transport ?? null,
        status: outcome.status,
        reason: outcome.reason,
        latency_ms: outcome.latencyMs,
        handshake_ms: outcome.handshakeMs ?? null,
        // Nothing starts it again here: the supervisor's "starting again in" would not come true.
        error: outcome.error?.replace(/; starting again in \d+ s$/, '') ?? null,
        capabilities: outcome.capabilities ?? null,
      },
      null,
      2,
    ),
  )
  if (outcome.status !== 'healthy' && logs.length > 0)
    console.error(`its stderr:\n${logs.map((l) => `  ${l.text}`).join('\n')}`)
  process.exit(outcome.status === 'healthy' ? 0 : 1)
}
