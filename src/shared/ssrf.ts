// The SSRF guard's rules: which addresses AutoMCP may connect to when it calls a registered URL. Pure
// functions over parsed addresses; ./guarded-fetch.ts resolves names and applies them to every request.

export type Ip = { version: 4 | 6; value: bigint }
export type Cidr = { version: 4 | 6; base: bigint; bits: number }

/** The settings the guard is built from (AUTOMCP_ALLOW_PRIVATE, AUTOMCP_ALLOW_HOSTS, AUTOMCP_DENY_CIDRS). */
export type GuardSettings = {
  allowPrivate: boolean
  allowHosts: readonly string[]
  denyCidrs: readonly string[]
}

const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const dotted = new RegExp(`^${octet}(?:\\.${octet}){3}$`)
const hexGroup = /^[0-9a-f]{1,4}$/i

function parseV4(s: string): bigint | null {
  if (!dotted.test(s)) return null
  return s.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n)
}

function parseV6(s: string): bigint | null {
  let text = s.replace(/%.*$/, '') // a zone (fe80::1%eth0) does not change what the address is
  const tail = text.slice(text.lastIndexOf(':') + 1)
  if (tail.includes('.')) {
    const v4 = parseV4(tail)
    if (v4 === null) return null
    text = `${text.slice(0, -tail.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')))
  const count = groups.flat().length
  if (halves.length === 1 ? count !== 8 : count > 7) return null
  const [head = [], rest = []] = groups
  const all = [...head, ...Array<string>(8 - count).fill('0'), ...rest]
  if (!all.every((g) => hexGroup.test(g))) return null
  return all.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n)
}

/** An address as written by DNS or in a URL host (`[…]` allowed); null for anything else, names included. */
export function parseIp(raw: string): Ip | null {
  const s = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw
  const v4 = parseV4(s)
  if (v4 !== null) return { version: 4, value: v4 }
  const v6 = s.includes(':') ? parseV6(s) : null
  return v6 === null ? null : { version: 6, value: v6 }
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (`/32` or `/128`); throws an Error saying what is wrong. */
export function parseCidr(raw: string): Cidr {
  const [addr = '', prefix, extra] = raw.trim().split('/')
  const ip = parseIp(addr)
  const width = ip?.version === 4 ? 32 : 128
  const bits = prefix === undefined ? width : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN
  if (!ip || extra !== undefined || !(bits >= 0 && bits <= width))
    throw new Error(`"${raw}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`)
  const hostBits = BigInt(width - bits)
  if ((ip.value >> hostBits) << hostBits !== ip.value)
    throw new Error(`"${raw}" has bits set after the /${bits} prefix`)
  return { version: ip.version, base: ip.value, bits }
}

const contains = (c: Cidr, ip: Ip) => {
  if (c.version !== ip.version) return false
  const shift = BigInt((c.version === 4 ? 32 : 128) - c.bits)
  return ip.value >> shift === c.base >> shift
}

const ranges = (list: [string, string][]) => list.map(([cidr, why]) => ({ cidr: parseCidr(cidr), why }))

// Never reachable through AutoMCP, whatever the settings: no MCP server lives there, and the cloud's
// instance metadata (credentials) does.
const alwaysBlocked = ranges([
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['169.254.0.0/16', 'link-local, where cloud metadata lives (169.254.0.0/16)'],
  ['100.100.100.200', 'a cloud metadata address (Alibaba Cloud)'],
  ['168.63.129.16', 'a cloud platform address (Azure WireServer)'],
  ['224.0.0.0/4', 'multicast (224.0.0.0/4)'],
  ['240.0.0.0/4', 'reserved or broadcast (240.0.0.0/4)'],
  ['::/128', 'the unspecified address'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['fd00:ec2::254', 'a cloud metadata address (AWS)'],
  ['ff00::/8', 'multicast (ff00::/8)'],
])

// Where self-hosted MCP servers usually live: allowed unless AUTOMCP_ALLOW_PRIVATE=false.
const privateRanges = ranges([
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'private (10.0.0.0/8)'],
  ['172.16.0.0/12', 'private (172.16.0.0/12)'],
  ['192.168.0.0/16', 'private (192.168.0.0/16)'],
  ['100.64.0.0/10', 'shared address space (100.64.0.0/10)'],
  ['198.18.0.0/15', 'benchmarking (198.18.0.0/15)'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique local (fc00::/7)'],
  ['fec0::/10', 'site-local (fec0::/10)'],
])

// IPv6 forms that carry an IPv4 address a packet may end up at: mapped (::ffff:a.b.c.d), translated
// (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
const embedding = ranges([
  ['::ffff:0:0/96', ''],
  ['::ffff:0:0:0/96', ''],
  ['::/96', ''],
  ['64:ff9b::/96', ''],
]).map((r) => r.cidr)
const sixToFour = parseCidr('2002::/16')

function embeddedV4(ip: Ip): Ip | null {
  if (ip.version !== 6 || ip.value <= 1n) return null // ::, ::1 are themselves
  if (embedding.some((c) => contains(c, ip))) return { version: 4, value: ip.value & 0xffffffffn }
  if (contains(sixToFour, ip)) return { version: 4, value: (ip.value >> 80n) & 0xffffffffn }
  return null
}

/** The address as people write it: dotted IPv4, compressed lower-case IPv6. */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) return [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join('.')
  const groups = [...Array(8)].map((_, i) => ((ip.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16))
  // Compress the longest run of two or more zero groups.
  let best = { at: -1, len: 1 }
  for (let i = 0; i < 8; ) {
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > best.len) best = { at: i, len: j - i }
    i = j === i ? i + 1 : j
  }
  if (best.at === -1) return groups.join(':')
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`
}

/** A host as the URL parser writes it: lower case, no trailing dot, IPv6 in brackets. */
export function normalizeHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '')
  const ip = parseIp(h)
  return ip?.version === 6 ? `[${formatIp(ip)}]` : ip ? formatIp(ip) : h
}

const label = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/

/**
 * One AUTOMCP_ALLOW_HOSTS entry: a host name (`mcp.lan`), `*.` and a name for every name below it
 * (`*.corp.example` matches `a.corp.example` and `a.b.corp.example`, not `corp.example`), or an address
 * (`10.0.0.5`, `fd00::5`). Returned normalized; throws an Error saying what is wrong.
 */
export function parseHostPattern(raw: string): string {
  const entry = raw.trim().toLowerCase().replace(/\.$/, '')
  const wildcard = entry.startsWith('*.')
  const name = wildcard ? entry.slice(2) : entry
  if (!wildcard && parseIp(name)) return normalizeHost(name)
  const labels = name.split('.')
  // A name ending in a number is an address to the URL parser (`10.1` is 10.0.0.1): only dotted ones here.
  const numeric = /^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? '')
  if (name === '' || name.length > 253 || !labels.every((l) => label.test(l)) || numeric)
    throw new Error(`"${raw}" is not a host name, *.suffix or address`)
  return wildcard ? `*.${name}` : name
}

/** Why the guard refuses to connect to `ip` for a request to `host`, or null when it may. */
export type Refusal = (ip: Ip, host: string) => string | null

/** The rules from the settings, checked against one address (and the IPv4 address inside it, if any). */
export function createPolicy(settings: GuardSettings): Refusal {
  const deny = settings.denyCidrs.map((text) => ({ cidr: parseCidr(text), text }))
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const p of settings.allowHosts.map(parseHostPattern))
    if (p.startsWith('*.')) suffixes.push(p.slice(1))
    else exact.add(p)
  const hostAllowed = (host: string) => {
    const h = normalizeHost(host)
    return exact.has(h) || suffixes.some((s) => h.endsWith(s))
  }

  return (ip, host) => {
    const inner = embeddedV4(ip)
    for (const a of inner ? [ip, inner] : [ip]) {
      // Written only for a refusal: every request to a registered server is checked.
      const shown = () => (a === ip ? formatIp(ip) : `${formatIp(ip)} (${formatIp(a)})`)
      const always = alwaysBlocked.find((r) => contains(r.cidr, a))
      if (always) return `${shown()} is ${always.why}`
      const denied = deny.find((d) => contains(d.cidr, a))
      if (denied) return `${shown()} is in AUTOMCP_DENY_CIDRS (${denied.text})`
      const priv = settings.allowPrivate ? undefined : privateRanges.find((r) => contains(r.cidr, a))
      if (priv && !hostAllowed(host))
        return `${shown()} is ${priv.why} and AUTOMCP_ALLOW_PRIVATE=false (see AUTOMCP_ALLOW_HOSTS)`
    }
    return null
  }
}

/**
 * Why a URL whose host is an address (in any spelling the URL parser accepts: dotted, decimal, hex,
 * octal, IPv4-mapped IPv6…) is refused, or null. Names are only checked once resolved, at each request.
 */
export function literalRefusal(url: string, refusal: Refusal): string | null {
  const host = URL.parse(url)?.hostname
  const ip = host ? parseIp(host) : null
  return host && ip ? refusal(ip, host) : null
}
