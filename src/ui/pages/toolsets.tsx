// Toolsets: named selections of servers and tools, each an MCP endpoint at /mcp/<name> (docs/api.md#toolsets).
import { useEffect, useState } from 'preact/hooks'
import '../pages.css'
import { type ApiError, api, errorOf } from '../api'
import { canWrite, role } from '../session'
import { Confirm, CopyButton, ErrorNote } from './parts'
import { type Draft, draftOf, emptyDraft, ToolsetForm } from './toolset-form'

type Toolset = NonNullable<Awaited<ReturnType<typeof api.toolsets.get>>['data']>[number]
type Server = { id: string; name: string }

const urlOf = (name: string) => `${location.origin}/mcp/${name}`
const listText = (items: string[] | null, all: string) => (items ? items.join(', ') : all)

export function ToolsetsPage() {
  const [toolsets, setToolsets] = useState<Toolset[] | null>(null)
  const [servers, setServers] = useState<Server[]>([])
  const [error, setError] = useState<ApiError | null>(null)
  // The form: closed, a new toolset, or an existing one by name.
  const [editing, setEditing] = useState<{ draft: Draft; name: string | null } | null>(null)
  const [deleting, setDeleting] = useState<string | null>(null)

  const load = async () => {
    const { data, error } = await api.toolsets.get()
    if (error) return setError(errorOf(error))
    setToolsets(data ?? [])
  }
  useEffect(() => {
    void load()
    void api.servers.get().then(({ data }) => setServers((data ?? []).map(({ id, name }) => ({ id, name }))))
  }, [])

  const save = async (draft: Draft): Promise<ApiError | null> => {
    const fields = {
      description: draft.description.trim() || null,
      servers: draft.servers.length > 0 ? draft.servers : null,
      tags: draft.tags,
      tools: draft.tools,
      prefix: draft.prefix,
      discovery: draft.discovery,
    }
    const name = editing?.name
    const { error } = name
      ? await api.toolsets({ name }).patch(fields)
      : await api.toolsets.post({ name: draft.name.trim(), ...fields })
    if (error) return errorOf(error)
    setEditing(null)
    await load()
    return null
  }
  const remove = async (name: string) => {
    setDeleting(null)
    const { error } = await api.toolsets({ name }).delete()
    setError(errorOf(error))
    await load()
  }

  const nameOf = (id: string) => servers.find((s) => s.id === id)?.name ?? id
  const write = canWrite.value
  return (
    <section class="pg-page" aria-labelledby="toolsets-title">
      <h2 id="toolsets-title">Toolsets</h2>
      <p class="pg-hint">
        Each toolset is an MCP server of its own for clients: its URL serves the tools it selects.
      </p>
      {role.value === 'read' && <p class="pg-hint">Read-only: an admin key creates and changes toolsets.</p>}
      <ErrorNote error={error} />
      {write && !editing && (
        <button type="button" onClick={() => setEditing({ draft: emptyDraft(), name: null })}>
          New toolset
        </button>
      )}
      {editing && (
        <ToolsetForm
          initial={editing.draft}
          editing={editing.name}
          servers={servers}
          onSave={save}
          onClose={() => setEditing(null)}
        />
      )}
      {toolsets === null ? (
        !error && <p class="pg-hint">Loading…</p>
      ) : toolsets.length === 0 ? (
        <p class="pg-hint">No toolset yet.</p>
      ) : (
        <table aria-label="Toolsets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Servers</th>
              <th>Tags</th>
              <th>Tools</th>
              <th>Names</th>
              <th>Discovery</th>
              <th>URL</th>
              {write && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {toolsets.map((ts) => (
              <tr key={ts.id}>
                <td>
                  <strong>{ts.name}</strong>
                  {ts.description && <div class="pg-hint">{ts.description}</div>}
                </td>
                <td>{ts.servers ? ts.servers.map(nameOf).join(', ') : 'all servers'}</td>
                <td>{listText(ts.tags, 'any')}</td>
                <td>{listText(ts.tools, 'all tools')}</td>
                <td>{ts.prefix ? 'prefixed' : 'own names'}</td>
                <td>{ts.discovery ? 'on' : 'off'}</td>
                <td>
                  <span class="pg-url">{urlOf(ts.name)}</span>{' '}
                  <CopyButton text={urlOf(ts.name)} label="Copy URL" />
                </td>
                {write && (
                  <td>
                    <div class="pg-actions">
                      <button
                        type="button"
                        class="pg-secondary"
                        onClick={() => setEditing({ draft: draftOf(ts), name: ts.name })}
                      >
                        Edit
                      </button>
                      <button type="button" class="pg-danger" onClick={() => setDeleting(ts.name)}>
                        Delete
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Confirm
        open={deleting !== null}
        title={`Delete toolset ${deleting ?? ''}?`}
        confirm="Delete"
        onConfirm={() => deleting && void remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>Clients using {deleting ? urlOf(deleting) : 'it'} lose its tools.</p>
      </Confirm>
    </section>
  )
}
