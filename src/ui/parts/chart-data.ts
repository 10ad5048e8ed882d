// The latency chart's data, from `/history` (newest first) and the checks seen live since. Pure.

/** uPlot's columns: times (epoch s), latency (null: no answer), p50 and p95 as flat lines. */
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[]]

export type Point = { at: number; latency: number | null }

/** Points oldest first, one per check time (a check seen both in history and live counts once). */
export function mergePoints(history: Point[], live: Point[], from: number): Point[] {
  const byTime = new Map<number, Point>()
  for (const p of [...history, ...live]) if (p.at >= from) byTime.set(p.at, p)
  return [...byTime.values()].sort((a, b) => a.at - b.at)
}

export function columnsOf(points: Point[], p50: number | null, p95: number | null): ChartColumns {
  return [points.map((p) => p.at), points.map((p) => p.latency), points.map(() => p50), points.map(() => p95)]
}

/** How many checks drew a point (got an answer). */
export const answered = (points: Point[]) => points.filter((p) => p.latency !== null).length
