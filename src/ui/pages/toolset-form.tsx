// The form that creates or changes a toolset. The server checks everything (a name in use, tools that would
// share a name, unknown servers): its error is shown here, and the form stays as the user left it.
import { useState } from 'preact/hooks'
import type { ApiError } from '../api'
import { ErrorNote, listOf } from './parts'

export type Draft = {
  name: string
  description: string
  servers: string[]
  tags: string[] | null
  tools: string[] | null
  prefix: boolean
  discovery: boolean
}

export const emptyDraft = (): Draft => ({
  name: '',
  description: '',
  servers: [],
  tags: null,
  tools: null,
  prefix: true,
  discovery: false,
})

export const draftOf = (ts: {
  name: string
  description: string | null
  servers: string[] | null
  tags: string[] | null
  tools: string[] | null
  prefix: boolean
  discovery: boolean
}): Draft => ({ ...ts, description: ts.description ?? '', servers: ts.servers ?? [] })

export function ToolsetForm(props: {
  initial: Draft
  /** The toolset's name when changing one (names do not change), null for a new one. */
  editing: string | null
  servers: { id: string; name: string }[]
  onSave: (draft: Draft) => Promise<ApiError | null>
  onClose: () => void
}) {
  const [draft, setDraft] = useState(props.initial)
  const [tags, setTags] = useState((props.initial.tags ?? []).join(', '))
  const [tools, setTools] = useState((props.initial.tools ?? []).join(', '))
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change })
  const toggle = (id: string, on: boolean) =>
    set({ servers: on ? [...draft.servers, id] : draft.servers.filter((s) => s !== id) })

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(await props.onSave({ ...draft, tags: listOf(tags), tools: listOf(tools) }))
    setBusy(false)
  }
  const title = props.editing ? `Edit toolset ${props.editing}` : 'New toolset'
  return (
    <form class="pg-form" aria-label={title} onSubmit={submit}>
      <h3>{title}</h3>
      {!props.editing && (
        <label>
          Name
          <input required value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </label>
      )}
      <label>
        Description
        <input value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      </label>
      <fieldset class="pg-choices">
        <legend>Servers (none chosen: every server)</legend>
        {props.servers.length === 0 && <span class="pg-hint">No server registered</span>}
        {props.servers.map((s) => (
          <label key={s.id}>
            <input
              type="checkbox"
              checked={draft.servers.includes(s.id)}
              onChange={(e) => toggle(s.id, e.currentTarget.checked)}
            />{' '}
            {s.name}
          </label>
        ))}
      </fieldset>
      <label>
        Tags (comma-separated; empty: any)
        <input value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      <label>
        Tools (comma-separated; empty: every tool)
        <input value={tools} onInput={(e) => setTools(e.currentTarget.value)} />
      </label>
      <label class="pg-inline">
        <input
          type="checkbox"
          checked={draft.prefix}
          onChange={(e) => set({ prefix: e.currentTarget.checked })}
        />
        Prefix tool names with their server's name
      </label>
      <label class="pg-inline">
        <input
          type="checkbox"
          checked={draft.discovery}
          onChange={(e) => set({ discovery: e.currentTarget.checked })}
        />
        Discovery mode (only search_tools and call_tool)
      </label>
      <ErrorNote error={error} />
      <div class="pg-actions">
        <button type="submit" disabled={busy}>
          {props.editing ? 'Save' : 'Create'}
        </button>
        <button type="button" class="pg-secondary" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </form>
  )
}
