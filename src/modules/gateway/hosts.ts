// DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 reaches AutoMCP with
// `Host: evil.example` (and its own Origin, which then looks same-origin). `/mcp` and `/sse` answer only
// to the host names AutoMCP is known by. Pure.

const loopback = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/** The host name of a `Host` header or an origin's authority, lower-case, without the port. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase()
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1)
  const colon = a.indexOf(':')
  return colon === -1 ? a : a.slice(0, colon)
}

export type HostRules = { any: boolean; names: ReadonlySet<string> }

/**
 * The host names accepted: those configured (`*`: any), else any when keys are required (a page can
 * send no key), else loopback and the public URL's host.
 */
export function hostRules(configured: readonly string[], authOn: boolean, publicUrl?: string): HostRules {
  if (configured.includes('*') || (configured.length === 0 && authOn)) return { any: true, names: new Set() }
  const names = new Set([...loopback, ...configured.map(hostName)])
  if (publicUrl) names.add(hostName(new URL(publicUrl).host))
  return { any: false, names }
}

/** Why the request is refused, or undefined: its Host, then its Origin (when sent) must be known. */
export function rebindingRefusal(
  rules: HostRules,
  host: string | null,
  origin: string | null,
  corsOrigins: readonly string[],
): string | undefined {
  if (!rules.any && (!host || !rules.names.has(hostName(host))))
    return `Host ${host ?? '(none)'} is not one AutoMCP answers to here: add it to AUTOMCP_ALLOWED_HOSTS`
  if (!origin || corsOrigins.includes(origin)) return undefined
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return `Origin ${origin} is not a URL`
  }
  if (rules.any ? originHost.toLowerCase() === host?.toLowerCase() : rules.names.has(hostName(originHost)))
    return undefined
  return `Origin ${origin} may not use this MCP endpoint: list it in AUTOMCP_CORS_ORIGINS`
}
