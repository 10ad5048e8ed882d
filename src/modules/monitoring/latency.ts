// A fixed latency histogram: every rollup counts checks per bucket, so percentiles for any window
// can be computed by adding rollups up. Upper bounds in ms; the last bucket is open.
export const LATENCY_BOUNDS = [
  1,
  2,
  3,
  5,
  7.5,
  10,
  15,
  20,
  30,
  50,
  75,
  100,
  150,
  200,
  300,
  500,
  750,
  1_000,
  1_500,
  2_000,
  3_000,
  5_000,
  7_500,
  10_000,
  15_000,
  30_000,
  60_000,
  Number.POSITIVE_INFINITY,
]

export const emptyHistogram = (): number[] => LATENCY_BOUNDS.map(() => 0)

export function bucketOf(ms: number): number {
  let i = 0
  while (ms > (LATENCY_BOUNDS[i] as number)) i++
  return i
}

/** The q-quantile of a histogram, interpolated inside its bucket and kept within the observed min/max. */
export function histogramQuantile(hist: number[], q: number, min: number, max: number): number {
  const total = hist.reduce((a, b) => a + b, 0)
  if (total === 0) return Number.NaN
  const rank = q * total
  let seen = 0
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] as number
    if (n > 0 && seen + n >= rank) {
      const lower = Math.max(i === 0 ? 0 : (LATENCY_BOUNDS[i - 1] as number), min)
      const upper = Math.min(LATENCY_BOUNDS[i] as number, max)
      return lower + (upper - lower) * ((rank - seen) / n)
    }
    seen += n
  }
  return max
}

/** The q-quantile of sorted values by the nearest-rank method: exact, for windows served from raw rows. */
export const sortedQuantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
