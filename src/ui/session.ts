// Who is signed in: the API key (kept in sessionStorage only, never in a URL or localStorage), what it
// may do, and whether the instance asks for a key at all.
import { computed, signal } from '@preact/signals'

const storageKey = 'automcp.key'

/** The key the user signed in with; null when signed out (or when the instance needs none). */
export const apiKey = signal<string | null>(sessionStorage.getItem(storageKey))
/** What the key may do: `admin` changes things, `read` only looks. */
export const role = signal<'admin' | 'read' | null>(null)
/** False when the instance runs with AUTOMCP_AUTH=off: no sign-in. */
export const authRequired = signal<boolean | null>(null)

export const canWrite = computed(() => role.value === 'admin')

export function rememberKey(key: string | null) {
  if (key) sessionStorage.setItem(storageKey, key)
  else sessionStorage.removeItem(storageKey)
  apiKey.value = key
}

/** The headers of every API request. */
export const authHeaders = (): Record<string, string> =>
  apiKey.value ? { authorization: `Bearer ${apiKey.value}` } : {}

/** A WebSocket's subprotocols: a browser cannot set headers on one, and the key never goes in its URL. */
export const socketProtocols = (): string[] =>
  apiKey.value ? ['automcp', `bearer.${apiKey.value}`] : ['automcp']
