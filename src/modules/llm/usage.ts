export type Usage = Record<string, unknown> & {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
}

/** The usage of a chat so far with one more step's added (a chat with tool steps reports their sum). */
export function addUsage(total: Usage | null, step: Usage | null | undefined): Usage | null {
  if (!step) return total
  if (!total) return structuredClone(step)
  return sumNumbers(total, step) as Usage
}

/** Every number in `b` added to the one at the same place in `a` (token counts, their details, cost). */
export function sumNumbers(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b
  if (isObject(a) && isObject(b)) {
    const sum: Record<string, unknown> = { ...a }
    for (const [key, value] of Object.entries(b)) sum[key] = key in a ? sumNumbers(a[key], value) : value
    return sum
  }
  return b ?? a
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
