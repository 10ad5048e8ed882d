// A server's latency over 1 h, 24 h, 7 d or 30 d (uPlot on a canvas): each check from `/history`, the
// checks that arrive live, and the window's p50 and p95 from `/stats`.
import { useSignal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import type { StatsWindow } from '../../modules/monitoring/model'
import { api } from '../api'
import type { Row } from '../live-rows'
import { answered, columnsOf, mergePoints, type Point } from './chart-data'
import { ms, percent } from './format'

const windows: Record<StatsWindow, number> = { '1h': 3600, '24h': 86_400, '7d': 604_800, '30d': 2_592_000 }
type Stats = { p50: number | null; p95: number | null; uptime: number | null; checks: number }

export function LatencyChart({ id, row }: { id: string; row: Row }) {
  const window = useSignal<StatsWindow>('1h')
  const [history, setHistory] = useState<Point[]>([])
  const [stats, setStats] = useState<Stats | null>(null)
  const [live, setLive] = useState<Point[]>([])
  const from = Math.floor(Date.now() / 1000) - windows[window.value]

  useEffect(() => {
    let current = true
    const since = Math.floor(Date.now() / 1000) - windows[window.value]
    const server = api.servers({ id })
    void Promise.all([
      server.history.get({ query: { from: since, limit: 1000 } }),
      server.stats.get({ query: { window: window.value } }),
    ]).then(([h, s]) => {
      if (!current) return
      setHistory((h.data?.data ?? []).map((c) => ({ at: c.checked_at, latency: c.latency_ms })))
      const d = s.data
      setStats(d ? { p50: d.p50_ms, p95: d.p95_ms, uptime: d.uptime_ratio, checks: d.checks } : null)
    })
    return () => {
      current = false
    }
  }, [id, window.value])

  // A check seen live joins the chart at once; the next fetch has it in the history.
  const checkedAt = row.info.last_checked
  useEffect(() => {
    if (checkedAt !== null) setLive((l) => [...l, { at: checkedAt, latency: row.info.latency_ms }])
  }, [checkedAt])

  const points = mergePoints(history, live, from)
  return (
    <section class="card">
      <div class="title-row">
        <h2>Latency</h2>
        <fieldset class="segmented">
          <legend class="sr-only">Window</legend>
          {(Object.keys(windows) as StatsWindow[]).map((w) => (
            <button
              key={w}
              type="button"
              aria-pressed={window.value === w}
              onClick={() => {
                window.value = w
              }}
            >
              {w}
            </button>
          ))}
        </fieldset>
      </div>
      <p class="facts">
        p50 <b>{ms(stats?.p50)}</b> · p95 <b>{ms(stats?.p95)}</b> · uptime <b>{percent(stats?.uptime)}</b> ·{' '}
        {stats?.checks ?? 0} checks
      </p>
      <Plot points={points} p50={stats?.p50 ?? null} p95={stats?.p95 ?? null} label={window.value} />
    </section>
  )
}

function Plot({
  points,
  p50,
  p95,
  label,
}: {
  points: Point[]
  p50: number | null
  p95: number | null
  label: string
}) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const data = columnsOf(points, p50, p95)

  useEffect(() => {
    const el = box.current
    if (!el) return
    const text = getComputedStyle(el).color
    const axis = { stroke: text, grid: { stroke: 'rgba(128,128,128,0.2)' }, ticks: { stroke: text } }
    plot.current = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 240,
        series: [
          {},
          {
            label: 'latency',
            stroke: '#3b82f6',
            width: 1.5,
            points: { show: true, size: 4 },
            value: (_u, v) => ms(v),
          },
          { label: 'p50', stroke: '#16a34a', dash: [4, 4], value: (_u, v) => ms(v) },
          { label: 'p95', stroke: '#f59e0b', dash: [4, 4], value: (_u, v) => ms(v) },
        ],
        axes: [axis, { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => `${t} ms`) }],
      },
      data,
      el,
    )
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 240 }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.current?.destroy()
      plot.current = null
    }
  }, [])

  useEffect(() => {
    plot.current?.setData(data)
  })

  const count = answered(points)
  return (
    <div
      ref={box}
      class="chart"
      role="img"
      aria-label={`Latency over ${label}: ${count} checks answered`}
      data-points={count}
    />
  )
}
