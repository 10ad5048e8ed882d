// A small Prometheus registry: counters and histograms with labels, gauges read at scrape time, and the
// text exposition format (version 0.0.4). Hand-written because the whole of it is this file.

type Labels = Record<string, string>

// Most label values need no escaping: they are counted on every request, so they are not rewritten.
const needsEscape = /[\\\n"]/
const escapeLabel = (v: string) =>
  needsEscape.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v
// A series' key and its text at once, built without arrays: every request and tool call counts a few.
const labelText = (labels: Labels) => {
  let text = ''
  for (const k in labels) text += `${text ? ',' : '{'}${k}="${escapeLabel(labels[k] as string)}"`
  return text ? `${text}}` : ''
}
const number = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : '-Inf')

export function createMetrics() {
  const blocks: (() => string)[] = []
  const header = (name: string, help: string, type: string) =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`

  return {
    counter(name: string, help: string) {
      const values = new Map<string, number>()
      blocks.push(() => {
        let out = header(name, help, 'counter')
        for (const [labels, v] of values) out += `${name}${labels} ${number(v)}\n`
        return out
      })
      return {
        inc(labels: Labels = {}, by = 1) {
          const key = labelText(labels)
          values.set(key, (values.get(key) ?? 0) + by)
        },
      }
    },

    histogram(name: string, help: string, buckets: number[]) {
      const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()
      blocks.push(() => {
        let out = header(name, help, 'histogram')
        for (const { labels, counts, sum, count } of series.values()) {
          let cumulative = 0
          buckets.forEach((le, i) => {
            cumulative += counts[i] as number
            out += `${name}_bucket${labelText({ ...labels, le: number(le) })} ${cumulative}\n`
          })
          out += `${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}\n`
          out += `${name}_sum${labelText(labels)} ${number(sum)}\n${name}_count${labelText(labels)} ${count}\n`
        }
        return out
      })
      return {
        observe(value: number, labels: Labels = {}) {
          const key = labelText(labels)
          let s = series.get(key)
          if (!s) {
            s = { labels, counts: buckets.map(() => 0), sum: 0, count: 0 }
            series.set(key, s)
          }
          const i = buckets.findIndex((le) => value <= le)
          if (i !== -1) s.counts[i] = (s.counts[i] as number) + 1
          s.sum += value
          s.count++
        },
      }
    },

    /** A value read when scraped, one sample per label set. */
    gauge(name: string, help: string, read: () => [Labels, number][]) {
      blocks.push(() => {
        let out = header(name, help, 'gauge')
        for (const [labels, v] of read()) out += `${name}${labelText(labels)} ${number(v)}\n`
        return out
      })
    },

    render: () => blocks.map((b) => b()).join(''),
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/** AutoMCP's own metrics, created once per app and fed by the modules that see the events. */
export function createAppMetrics() {
  const registry = createMetrics()
  const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  return {
    registry,
    httpRequests: registry.counter(
      'automcp_http_requests_total',
      'HTTP requests by method, route and status',
    ),
    httpDuration: registry.histogram(
      'automcp_http_request_duration_seconds',
      'HTTP request duration by route',
      seconds,
    ),
    refused: registry.counter(
      'automcp_requests_refused_total',
      'Requests the front door answered before any handler (key, Origin, rate, route, Content-Length, Content-Type), by reason',
    ),
    authFailures: registry.counter(
      'automcp_auth_failures_total',
      'Failed authentications by reason: missing_key, invalid_key, too_many_failures',
    ),
    checks: registry.counter('automcp_checks_total', 'Health checks by what they saw: status and reason'),
    checkDuration: registry.histogram('automcp_check_duration_seconds', 'Health check duration', seconds),
    upstreamErrors: registry.counter('automcp_upstream_errors_total', 'Chat upstream failures by code'),
    chats: registry.counter(
      'automcp_chats_total',
      'Chats by how they ended (done, cancelled or an error code)',
    ),
    toolCalls: registry.counter(
      'automcp_tool_calls_total',
      'MCP tool calls made, by outcome (ok, error or cancelled) and source (chat, v1, direct, gateway)',
    ),
    toolCallDuration: registry.histogram(
      'automcp_tool_call_duration_seconds',
      'MCP tool call duration',
      seconds,
    ),
  }
}

export type AppMetrics = ReturnType<typeof createAppMetrics>
