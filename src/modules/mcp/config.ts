import { boolean, list, setting } from '../../shared/settings'
import { formatIp, parseCidr, parseHostPattern } from '../../shared/ssrf'

/** Which addresses AutoMCP may connect to for checks and MCP sessions (the SSRF guard). */
export const mcpSettings = {
  allowPrivate: setting({
    env: 'AUTOMCP_ALLOW_PRIVATE',
    default: true,
    doc: 'Whether checks may reach loopback and private addresses (`false`: blocked; see SSRF guard)',
    parse: boolean,
  }),
  allowHosts: setting({
    env: 'AUTOMCP_ALLOW_HOSTS',
    default: [] as readonly string[],
    doc: 'Comma-separated hosts (`mcp.lan`, `*.corp.example`, `10.0.0.5`) exempt from `AUTOMCP_ALLOW_PRIVATE=false`',
    parse: list(parseHostPattern),
  }),
  denyCidrs: setting({
    env: 'AUTOMCP_DENY_CIDRS',
    default: [] as readonly string[],
    doc: 'Comma-separated CIDRs (IPv4, IPv6) that checks never reach, on top of the built-in ones',
    parse: list((raw) => {
      const cidr = parseCidr(raw)
      return `${formatIp({ version: cidr.version, value: cidr.base })}/${cidr.bits}`
    }),
  }),
}
