// A row's latency trend: an inline SVG polyline, cheap enough for a thousand rows.
const width = 80
const height = 20

export function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return <span class="muted">—</span>
  const max = Math.max(...values)
  const min = Math.min(...values)
  const span = max - min || 1
  const step = width / (values.length - 1)
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`)
    .join(' ')
  return (
    <svg
      class="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Recent latencies, ${Math.round(min)} to ${Math.round(max)} ms`}
    >
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  )
}
