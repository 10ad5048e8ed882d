// Changing a server: its name, check interval and tags (PATCH); deleting it, after a confirmation.
import { useState } from 'preact/hooks'
import type { ServerInfo } from '../../modules/servers/model'
import { api, errorOf } from '../api'

const tagsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)

export function EditServer({ server, onDone }: { server: ServerInfo; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null)

  async function save(e: Event) {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    const interval = String(form.get('interval') ?? '').trim()
    const { error: failed } = await api.servers({ id: server.id }).patch({
      name: String(form.get('name') ?? ''),
      interval_s: interval ? Number(interval) : null,
      tags: tagsOf(String(form.get('tags') ?? '')),
    })
    const problem = errorOf(failed)
    if (problem) setError(problem.detail)
    else onDone()
  }

  return (
    <form class="card edit" onSubmit={save}>
      <h2>Edit</h2>
      <label>
        Name <input name="name" defaultValue={server.name} required />
      </label>
      <label>
        Check interval (s){' '}
        <input
          name="interval"
          inputMode="numeric"
          defaultValue={server.interval_s?.toString() ?? ''}
          placeholder="default"
        />
      </label>
      <label>
        Tags (comma-separated) <input name="tags" defaultValue={server.tags.join(', ')} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit">Save</button>
        <button type="button" class="quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Delete, then a second button to confirm it (no browser dialog). */
export function DeleteServer({ id }: { id: string }) {
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<string | null>(null)
  async function remove() {
    const { error: failed } = await api.servers({ id }).delete()
    const problem = errorOf(failed)
    if (problem) setError(problem.detail)
    else location.hash = '#/servers'
  }
  if (!asking)
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Delete
      </button>
    )
  return (
    <span class="confirm">
      Delete this server and its history?{' '}
      <button type="button" class="danger" onClick={remove}>
        Yes, delete
      </button>{' '}
      <button type="button" class="quiet" onClick={() => setAsking(false)}>
        Keep it
      </button>
      {error && <span class="error"> {error}</span>}
    </span>
  )
}
