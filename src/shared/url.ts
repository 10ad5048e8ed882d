import { FormatRegistry } from '@sinclair/typebox'

// What a registered URL may be, in one place: the `url` schema of the API checks it (format `http-url`)
// and explains a refusal with it, and `automcp probe` does the same. The WHATWG URL parser decides, as
// it is the one every request is made with: an IDN host is a name like its punycode.

const shape = /^https?:\/\/[^/?#\\]/i
/** Spaces and control characters, which the parser would silently drop or trim. */
const invisible = /[\p{Cc}\s]/u
/** An `@` in the authority: user information, even an empty one. */
const userinfo = /^https?:\/\/[^/?#\\]*@/i
/** The port as written (the parser refuses one above 65535 as it would a typo, and keeps `:0`). */
const port = /^https?:\/\/[^/?#\\]*:(\d+)(?:[/?#\\]|$)/i

const urlRule = 'must be an absolute http(s) URL such as http://host:3001/mcp'

/** Why `raw` cannot be registered (completing "body field "url" …"), or null when it can. */
export function httpUrlProblem(raw: unknown): string | null {
  if (typeof raw !== 'string' || !shape.test(raw) || invisible.test(raw)) return urlRule
  // Before parsing: credentials must be refused even in a URL the parser would refuse for another reason.
  if (userinfo.test(raw))
    return 'must not hold a user name or password (user:pass@): send credentials in `headers`'
  const written = port.exec(raw)?.[1]
  if (written !== undefined && !(Number(written) >= 1 && Number(written) <= 65_535))
    return 'must have a port from 1 to 65535'
  const url = URL.parse(raw)
  return url?.hostname && (url.protocol === 'http:' || url.protocol === 'https:') ? null : urlRule
}

FormatRegistry.Set('http-url', (value) => httpUrlProblem(value) === null)
