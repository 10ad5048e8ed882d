export type Sample = { name: string; labels: Record<string, string>; value: number }

/** A strict reading of the Prometheus text format: any line it cannot read fails the test. */
export function parse(text: string): Sample[] {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line)
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2] as string, meta[3] as string)
      continue
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$/.exec(
        line,
      )
    if (!m) throw new Error(`not a metric line: ${line}`)
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    )
    const name = m[1] as string
    const family = name.replace(/_(bucket|sum|count)$/, '')
    if (!types.has(name) && !types.has(family)) throw new Error(`sample before its TYPE: ${line}`)
    samples.push({
      name,
      labels: labels as Record<string, string>,
      value: Number(m[3]?.replace('+Inf', 'Infinity')),
    })
  }
  return samples
}

export const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
