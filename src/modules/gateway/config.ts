import { duration, integer, list, setting, text, units } from '../../shared/settings'

/** AutoMCP as an MCP server: `/mcp` and `/sse`. */
export const gatewaySettings = {
  gatewaySessionsPerKey: setting({
    env: 'AUTOMCP_GATEWAY_SESSIONS_PER_KEY',
    default: 1_000,
    doc: 'MCP sessions one API key (or, with auth off, one address) may hold open on `/mcp` and `/sse`; one more gets 429 `too_many_sessions`',
    parse: integer(1, 1_000_000),
  }),
  gatewayIdleMs: setting({
    env: 'AUTOMCP_GATEWAY_IDLE_TIMEOUT',
    default: 30 * units.m,
    shown: '30m',
    doc: 'An MCP session on `/mcp` or `/sse` with no request for this long is closed (its client starts a new one)',
    parse: duration,
  }),
  allowedHosts: setting({
    env: 'AUTOMCP_ALLOWED_HOSTS',
    default: [] as readonly string[],
    shown: '(loopback; any with auth on)',
    doc: 'Host names `/mcp` and `/sse` answer to, against DNS rebinding. Unset: any with `AUTOMCP_AUTH=on` (a page cannot send the key), else only loopback names and the host of `AUTOMCP_PUBLIC_URL`; `*`: any',
    parse: list(text),
  }),
}
