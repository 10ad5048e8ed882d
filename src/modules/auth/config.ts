import { ConfigError, integer, oneOf, secret, setting } from '../../shared/settings'

/** Who may call the API, how often, and from which browser origins. */
export const authSettings = {
  auth: setting({
    env: 'AUTOMCP_AUTH',
    default: 'on' as 'on' | 'off',
    doc: '`off` lets every request in without a key (a warning is logged at every start)',
    parse: oneOf('on', 'off'),
  }),
  apiKey: setting({
    env: 'AUTOMCP_API_KEY',
    default: undefined,
    doc: 'An admin API key accepted besides the stored ones; when neither exists, the first start creates one and prints it',
    parse: secret,
  }),
  rateLimit: setting({
    env: 'AUTOMCP_RATE_LIMIT',
    default: 1_200,
    doc: 'REST requests a minute per API key (per client address with auth off), in bursts of as many; over it: 429 with Retry-After; 0: no limit',
    parse: integer(0, 100_000_000),
  }),
  corsOrigins: setting({
    env: 'AUTOMCP_CORS_ORIGINS',
    default: [] as readonly string[],
    doc: 'Comma-separated origins allowed to call the API from a browser (none: same-origin only)',
    parse: (raw, name) =>
      raw
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
        .map((o) => {
          const url = URL.parse(o)
          if (!url || url.origin !== o.replace(/\/$/, ''))
            throw new ConfigError(`${name} must list origins like https://app.example.com, got "${o}"`)
          return url.origin
        }),
  }),
}
