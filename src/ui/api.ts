// The API, through Eden: a client typed from the server's own routes (`App`), as TypeScript users of
// AutoMCP would call it.
import { treaty } from '@elysiajs/eden'
import type { App } from '../app'
import { authHeaders } from './session'

export const api = treaty<App>(location.origin, { headers: () => authHeaders() })

/** An API error as the dashboard shows it: the server's `detail` (and `code`), or what went wrong. */
export type ApiError = { status: number; detail: string; code: string }

/** The error of an Eden answer, read from its `{ detail, code }` body. */
export function errorOf(error: { status: unknown; value: unknown } | null): ApiError | null {
  if (!error) return null
  const value = (error.value ?? {}) as { detail?: unknown; code?: unknown }
  return {
    status: Number(error.status),
    detail: typeof value.detail === 'string' ? value.detail : `HTTP ${String(error.status)}`,
    code: typeof value.code === 'string' ? value.code : 'error',
  }
}
