// Which form field an API error names: its `detail` reads `body field "url" must be …`. Pure.

/** The field (its first path segment: `args.0` → `args`), or null when the error names none. */
export function fieldOf(detail: string): string | null {
  const match = /body field "([^".]+)/.exec(detail)
  return match?.[1] ?? null
}

/** Errors by field, and the rest under `''` (shown at the top of the form). */
export function placeError(detail: string, code: string, fields: readonly string[]): Record<string, string> {
  const named = fieldOf(detail)
  if (named && fields.includes(named)) return { [named]: detail }
  // The URL guard names no field, yet only the URL can be blocked.
  if (code === 'url_blocked' && fields.includes('url')) return { url: detail }
  return { '': detail }
}
