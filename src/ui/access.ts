// Signing in: a key is checked against the API before it is kept, and its role learnt from what it may read.
import { api } from './api'
import { authRequired, rememberKey, role } from './session'

/** Where the app stands: asking who is there, waiting for a key, or signed in (or needing no key). */
export type Gate = 'checking' | 'signin' | 'ready'

/** Why a key was refused, in words; null when it was accepted (or none was asked for). */
export type SignInResult = { gate: Gate; error: string | null }

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/**
 * Tries `key` (or no key): `GET /servers` answers 200 without one when the instance runs with auth off;
 * with one, `GET /keys` is admin only, so its 403 says the key is a read key.
 */
export async function signIn(key: string | null): Promise<SignInResult> {
  const headers = key ? bearer(key) : {}
  const list = await api.servers.get({ headers })
  if (!key) {
    if (list.status === 200) {
      authRequired.value = false
      role.value = 'admin'
      return { gate: 'ready', error: null }
    }
    authRequired.value = true
    return { gate: 'signin', error: list.status === 401 ? null : `The API answered HTTP ${list.status}` }
  }
  if (list.status === 401) return refuse('The API key is unknown or revoked')
  if (list.status === 403) return refuse('This key may not read the server list')
  // AutoMCP restarting (503) or a rate limit (429) says nothing of the key: it is kept for the next try.
  if (list.status !== 200) return { gate: 'signin', error: `The API answered HTTP ${list.status}; try again` }
  const keys = await api.keys.get({ headers })
  authRequired.value = true
  role.value = keys.status === 200 ? 'admin' : 'read'
  rememberKey(key)
  return { gate: 'ready', error: null }
}

function refuse(error: string): SignInResult {
  rememberKey(null)
  role.value = null
  return { gate: 'signin', error }
}

/** Forgets the key; the next screen is the sign-in form. */
export function signOut(): SignInResult {
  rememberKey(null)
  role.value = null
  return { gate: 'signin', error: null }
}
