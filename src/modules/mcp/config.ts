import { boolean, integer, list, oneOf, setting } from '../../shared/settings'
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

/** Whether AutoMCP may start stdio servers, which programs, and how many at once. */
export const stdioSettings = {
  stdio: setting({
    env: 'AUTOMCP_STDIO',
    default: 'auto' as 'auto' | 'on' | 'off',
    doc: 'Whether admin keys may register stdio servers (programs AutoMCP starts): `auto` allows them unless `AUTOMCP_AUTH=off`; `off` refuses them (422 `stdio_disabled`) and starts none',
    parse: oneOf('auto', 'on', 'off'),
  }),
  stdioCommands: setting({
    env: 'AUTOMCP_STDIO_COMMANDS',
    default: [] as readonly string[],
    doc: 'Comma-separated command names (`npx,uvx`, looked up in PATH) or absolute paths that stdio servers may run; empty: any',
    parse: list((raw) => raw),
  }),
  maxStdio: setting({
    env: 'AUTOMCP_MAX_STDIO',
    default: 64,
    doc: 'stdio servers running at once at most; one more is not started (its checks report `stdio_limit`)',
    parse: integer(0, 10_000),
  }),
}

/** `auto` means on, except when every request gets in without a key: then anyone could run a program. */
export const stdioEnabled = (stdio: 'auto' | 'on' | 'off', auth: 'on' | 'off') =>
  stdio === 'on' || (stdio === 'auto' && auth === 'on')
