import { ConfigError, setting } from '../../shared/settings'

/** Who may read `/metrics`. */
export const metricsSettings = {
  metricsPublic: setting({
    env: 'AUTOMCP_METRICS_PUBLIC',
    default: false,
    doc: '`true` serves `/metrics` without an API key (for a Prometheus that cannot send one)',
    parse: (raw, name) => {
      const v = raw.trim().toLowerCase()
      if (v === 'true' || v === '1') return true
      if (v === 'false' || v === '0') return false
      throw new ConfigError(`${name} must be true or false, got "${raw}"`)
    },
  }),
}
