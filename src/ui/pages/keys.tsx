// API keys, for admins: list, create (the key is shown once, here, and kept nowhere), revoke.
import { useEffect, useState } from 'preact/hooks'
import '../pages.css'
import { type ApiError, api, errorOf } from '../api'
import { Confirm, CopyButton, ErrorNote, when } from './parts'

type Key = NonNullable<Awaited<ReturnType<typeof api.keys.get>>['data']>[number]
type Created = { name: string; key: string }

export function KeysPage() {
  const [keys, setKeys] = useState<Key[] | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [forbidden, setForbidden] = useState(false)
  const [toolsets, setToolsets] = useState<string[]>([])
  // The new key lives in this state only: gone when dismissed or when the page is left.
  const [created, setCreated] = useState<Created | null>(null)
  const [revoking, setRevoking] = useState<Key | null>(null)

  const load = async () => {
    const { data, error } = await api.keys.get()
    if (error?.status === 403) return setForbidden(true)
    if (error) return setError(errorOf(error))
    setKeys(data ?? [])
  }
  useEffect(() => {
    void load()
    void api.toolsets.get().then(({ data }) => setToolsets((data ?? []).map((t) => t.name)))
  }, [])

  const revoke = async (key: Key) => {
    setRevoking(null)
    const { error } = await api.keys({ id: key.id }).delete()
    setError(errorOf(error))
    await load()
  }

  if (forbidden)
    return (
      <section class="pg-page" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <p class="pg-warning">Only an admin key can manage keys.</p>
      </section>
    )
  return (
    <section class="pg-page" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <ErrorNote error={error} />
      {created && <NewKey created={created} onDone={() => setCreated(null)} />}
      {keys && (
        <KeyForm
          toolsets={toolsets}
          onCreated={(c) => {
            setCreated(c)
            void load()
          }}
        />
      )}
      {keys === null ? (
        !error && <p class="pg-hint">Loading…</p>
      ) : (
        <table aria-label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Toolset</th>
              <th>Prefix</th>
              <th>Created</th>
              <th>Last used</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.role}</td>
                <td>{k.toolset ?? 'all routes'}</td>
                <td class="pg-url">{k.prefix}</td>
                <td>{when(k.created_at)}</td>
                <td>{when(k.last_used_at)}</td>
                <td>{k.revoked_at === null ? 'active' : `revoked ${when(k.revoked_at)}`}</td>
                <td>
                  {k.revoked_at === null && (
                    <button type="button" class="pg-danger" onClick={() => setRevoking(k)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Confirm
        open={revoking !== null}
        title={`Revoke key ${revoking?.name ?? ''}?`}
        confirm="Revoke"
        onConfirm={() => revoking && void revoke(revoking)}
        onClose={() => setRevoking(null)}
      >
        <p>Requests with it are refused at once, and its open connections closed. This cannot be undone.</p>
      </Confirm>
    </section>
  )
}

/** The key just created: its only showing. */
function NewKey({ created, onDone }: { created: Created; onDone: () => void }) {
  return (
    <div class="pg-warning" role="status" aria-label="Key created">
      <p>
        <strong>
          Copy the key "{created.name}" now: it is not stored in a readable form and will not be shown again.
        </strong>
      </p>
      <input
        class="pg-key"
        readOnly
        aria-label="New API key"
        value={created.key}
        onFocus={(e) => e.currentTarget.select()}
      />
      <div class="pg-actions">
        <CopyButton text={created.key} label="Copy key" />
        <button type="button" class="pg-secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  )
}

function KeyForm({ toolsets, onCreated }: { toolsets: string[]; onCreated: (c: Created) => void }) {
  const [name, setName] = useState('')
  const [role, setRole] = useState<'read' | 'admin'>('read')
  const [toolset, setToolset] = useState('')
  const [error, setError] = useState<ApiError | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const { data, error } = await api.keys.post({ name: name.trim(), role, ...(toolset ? { toolset } : {}) })
    setError(errorOf(error))
    if (data && 'key' in data) {
      onCreated({ name: data.name, key: data.key })
      setName('')
      setToolset('')
    }
  }
  return (
    <form class="pg-form" aria-label="New key" onSubmit={submit}>
      <h3>New key</h3>
      <label>
        Name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as 'read' | 'admin')}>
          <option value="read">read: looks only</option>
          <option value="admin">admin: changes things</option>
        </select>
      </label>
      <label>
        Toolset
        <select value={toolset} onChange={(e) => setToolset(e.currentTarget.value)}>
          <option value="">none: every route</option>
          {toolsets.map((t) => (
            <option key={t} value={t}>
              {t} (only /mcp/{t})
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={error} />
      <div class="pg-actions">
        <button type="submit">Create</button>
      </div>
    </form>
  )
}
