import { duration, integer, setting, units } from '../../shared/settings'

/** How often and how patiently servers are checked, when they change status, and how long history is kept. */
export const monitoringSettings = {
  checkIntervalS: setting({
    flag: '--check-interval',
    env: 'AUTOMCP_CHECK_INTERVAL',
    default: 30,
    doc: 'Default seconds between health checks of a server',
    parse: integer(1, 86_400),
  }),
  checkTimeoutMs: setting({
    env: 'AUTOMCP_CHECK_TIMEOUT',
    default: 5_000,
    doc: 'Default ms before a check gives up (reason `timeout`)',
    parse: integer(100, 120_000),
  }),
  checkConcurrency: setting({
    env: 'AUTOMCP_CHECK_CONCURRENCY',
    default: 1_000,
    doc: 'Checks in flight at once; each waiting check holds a socket',
    parse: integer(1, 100_000),
  }),
  slowMs: setting({
    env: 'AUTOMCP_SLOW_MS',
    default: 1_000,
    doc: 'A check slower than this many ms makes the server `degraded` (reason `slow`)',
    parse: integer(1, 120_000),
  }),
  failureThreshold: setting({
    env: 'AUTOMCP_FAILURE_THRESHOLD',
    default: 2,
    doc: 'Consecutive failed checks before a server is `unhealthy` (per server: `failure_threshold`)',
    parse: integer(1, 100),
  }),
  successThreshold: setting({
    env: 'AUTOMCP_SUCCESS_THRESHOLD',
    default: 1,
    doc: 'Consecutive good checks before an unhealthy server recovers (per server: `success_threshold`)',
    parse: integer(1, 100),
  }),
  retainRawMs: setting({
    env: 'AUTOMCP_RETAIN_RAW',
    default: 48 * units.h,
    shown: '48h',
    doc: 'How long every single check is kept',
    parse: duration,
  }),
  retainHourlyMs: setting({
    env: 'AUTOMCP_RETAIN_HOURLY',
    default: 90 * units.d,
    shown: '90d',
    doc: 'How long hourly rollups are kept',
    parse: duration,
  }),
  retainDailyMs: setting({
    env: 'AUTOMCP_RETAIN_DAILY',
    default: 730 * units.d,
    shown: '730d',
    doc: 'How long daily rollups are kept',
    parse: duration,
  }),
}
