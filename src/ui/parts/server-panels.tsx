// The smaller parts of a server's page: its check history, a stdio server's logs, OAuth's Connect.
import { useEffect, useState } from 'preact/hooks'
import type { ServerInfo } from '../../modules/servers/model'
import { api, errorOf } from '../api'
import { canWrite } from '../session'
import { ms, when } from './format'

type Check = {
  checked_at: number
  status: string
  reason: string | null
  latency_ms: number | null
  error: string | null
}

/** The last 50 checks, read again after each new one. */
export function CheckHistory({ id, version }: { id: string; version: number | null }) {
  const [checks, setChecks] = useState<Check[]>([])
  useEffect(() => {
    void api
      .servers({ id })
      .history.get({ query: { limit: 50 } })
      .then(({ data }) => setChecks(data?.data ?? []))
  }, [id, version])
  return (
    <section class="card">
      <h2>Checks</h2>
      {checks.length === 0 ? (
        <p class="muted">No checks yet.</p>
      ) : (
        <table class="checks">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Latency</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr key={c.checked_at}>
                <td>{when(c.checked_at)}</td>
                <td class={`status-${c.status}`}>{c.status}</td>
                <td title={c.error ?? undefined}>{c.reason?.replaceAll('_', ' ') ?? ''}</td>
                <td class="num">{ms(c.latency_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** A stdio server's last stderr lines. */
export function Logs({ id, version }: { id: string; version: number | null }) {
  const [lines, setLines] = useState<{ time: number; text: string }[]>([])
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    void api
      .servers({ id })
      .logs.get({ query: { limit: 200 } })
      .then(({ data, error: e }) => {
        setLines(data ?? [])
        setError(errorOf(e)?.detail ?? null)
      })
  }, [id, version])
  return (
    <section class="card">
      <h2>Logs</h2>
      {error && <p class="error">{error}</p>}
      {lines.length === 0 ? (
        <p class="muted">No output on stderr.</p>
      ) : (
        <pre class="logs">
          {lines.map((l) => `${new Date(l.time * 1000).toLocaleTimeString()}  ${l.text}`).join('\n')}
        </pre>
      )}
    </section>
  )
}

/**
 * OAuth: Connect asks for an authorization URL and opens it; the result comes back over `/events` as the
 * server's auth state, which this shows.
 */
export function OAuthPanel({ server }: { server: ServerInfo }) {
  // The authorization page's address while waiting: a link too, as a browser may block the window opened
  // after the request returned (no longer the click's own action).
  const [waiting, setWaiting] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const state = server.auth.state
  useEffect(() => {
    if (state === 'authorized') setWaiting(null)
  }, [state])

  async function connect() {
    setError(null)
    const { data, error: e } = await api.servers({ id: server.id }).authorize.post()
    const failed = errorOf(e)
    if (failed || !data) {
      setError(failed?.detail ?? 'No authorization URL')
      return
    }
    // The URL comes from the server's authorization server: only a web page is opened (never javascript:).
    if (!/^https?:$/.test(new URL(data.authorization_url, location.href).protocol)) {
      setError('The authorization server gave an address that is not a web page')
      return
    }
    window.open(data.authorization_url, '_blank', 'noopener')
    setWaiting(data.authorization_url)
  }

  return (
    <section class="card">
      <h2>Authorization</h2>
      <p>
        OAuth ({server.auth.grant ?? 'unknown grant'}): <b role="status">{state ?? 'not yet known'}</b>
        {server.auth.error && <span class="error"> — {server.auth.error}</span>}
        {server.auth.scopes.length > 0 && <span class="muted"> · scopes {server.auth.scopes.join(' ')}</span>}
      </p>
      {waiting && (
        <p class="muted">
          Waiting for the authorization to finish in the other window… (
          <a href={waiting} target="_blank" rel="noopener noreferrer">
            open the authorization page
          </a>{' '}
          if no window opened)
        </p>
      )}
      {error && <p class="error">{error}</p>}
      {canWrite.value && server.auth.grant !== 'client_credentials' && (
        <button type="button" onClick={connect}>
          Connect
        </button>
      )}
    </section>
  )
}
