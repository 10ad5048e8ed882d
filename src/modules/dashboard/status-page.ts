// The public status page: every server's name, status and uptime, as HTML with no script and no inline
// style (the dashboard's CSP), or as the JSON the same rows make. Pure.
import type { ServerStatus } from '../../shared/domain'
import { type badgeColours, escapeXml } from './badge'

/** What the status page shows of a server: nothing that reaches it (URL, command) or says why it fails. */
export type StatusRow = {
  id: string
  name: string
  status: ServerStatus
  uptime_24h: number | null
  uptime_30d: number | null
}

export type Colour = keyof typeof badgeColours

export const statusColour: Record<ServerStatus, Colour> = {
  healthy: 'green',
  degraded: 'yellow',
  unhealthy: 'red',
  unknown: 'grey',
}

/** The colour of an uptime ratio: green from 99 %, down to red under 90 %; grey without checks. */
export function uptimeColour(ratio: number | null): Colour {
  if (ratio === null) return 'grey'
  if (ratio >= 0.99) return 'green'
  if (ratio >= 0.97) return 'yellowgreen'
  if (ratio >= 0.95) return 'yellow'
  if (ratio >= 0.9) return 'orange'
  return 'red'
}

/**
 * A ratio as a percentage to two decimals at most, rounded down: 99.999 % of checks up is not "100%".
 * No checks in the window: "no data".
 */
export function formatUptime(ratio: number | null): string {
  if (ratio === null) return 'no data'
  const hundredths = Math.floor(Math.round(ratio * 1e6) / 100)
  return `${(hundredths / 100).toFixed(2).replace(/\.?0+$/, '')}%`
}

/** One sentence on the whole: all healthy, or how many are and what the others are. */
export function summaryOf(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return 'No servers are monitored yet.'
  const count = (s: ServerStatus) => rows.filter((r) => r.status === s).length
  const healthy = count('healthy')
  if (healthy === rows.length)
    return rows.length === 1 ? 'The server is healthy.' : `All ${rows.length} servers are healthy.`
  const others = (['degraded', 'unhealthy', 'unknown'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s}`)
  return `${healthy} of ${rows.length} ${rows.length === 1 ? 'server' : 'servers'} healthy: ${others.join(', ')}.`
}

const cell = (ratio: number | null) =>
  `<td class="uptime colour-${uptimeColour(ratio)}">${formatUptime(ratio)}</td>`

const row = (r: StatusRow) =>
  `      <tr><th scope="row">${escapeXml(r.name)}</th>` +
  `<td><span class="status colour-${statusColour[r.status]}">${r.status}</span></td>` +
  `${cell(r.uptime_24h)}${cell(r.uptime_30d)}</tr>`

/** The page: `stylesheet` is the path of its style sheet; `now` (epoch ms) when the rows were read. */
export function statusPageHtml(
  rows: readonly StatusRow[],
  { stylesheet, now }: { stylesheet: string; now: number },
) {
  const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z')
  const table =
    rows.length === 0
      ? ''
      : `  <table>
    <thead><tr><th scope="col">Server</th><th scope="col">Status</th><th scope="col">Uptime 24 h</th><th scope="col">Uptime 30 d</th></tr></thead>
    <tbody>
${rows.map(row).join('\n')}
    </tbody>
  </table>
`
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="color-scheme" content="light dark" />
  <meta http-equiv="refresh" content="60" />
  <title>Status</title>
  <link rel="stylesheet" href="${escapeXml(stylesheet)}" />
</head>
<body>
<main>
  <h1>Status</h1>
  <p class="summary">${summaryOf(rows)}</p>
${table}  <p class="updated">Updated <time datetime="${at}">${at.replace('T', ' ').replace('Z', ' UTC')}</time></p>
</main>
</body>
</html>
`
}

/** The same rows as JSON: what a script reads instead of the page. */
export const statusJson = (rows: readonly StatusRow[], now: number) => ({
  servers: rows.map(({ id, name, status, uptime_24h, uptime_30d }) => ({
    id,
    name,
    status,
    uptime_24h,
    uptime_30d,
  })),
  updated_at: now / 1000,
})
