import { oneOf, setting } from '../../shared/settings'

/** Whether the public status page (`/status`) and its badges (`/badge/{id}/…`) are served. */
export const dashboardSettings = {
  statusPage: setting({
    env: 'AUTOMCP_STATUS_PAGE',
    default: 'off' as 'off' | 'public',
    doc: "`public` serves `/status` (every server's name, status and uptime, no URLs or reasons) and the badges `/badge/{id}/status.svg` and `/badge/{id}/uptime.svg` without an API key; `off`: those routes do not exist",
    parse: oneOf('off', 'public'),
  }),
}
