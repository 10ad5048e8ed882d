// The chat page: a conversation with a model of the upstream, which uses the registered servers' tools
// through AutoMCP (`WS /chat`), each call shown as a card, and approved one by one in "ask" mode.
import { useEffect, useRef, useState } from 'preact/hooks'
import '../pages.css'
import { type ApiError, api, errorOf } from '../api'
import { canWrite, role } from '../session'
import { applyMessage, type Entry, endsChat, historyOf, setApproval } from './chat-log'
import { type SocketMessage, useChatSocket } from './chat-socket'
import { ChatEntries } from './chat-view'
import { ErrorNote } from './parts'

type ToolMode = 'auto' | 'servers' | 'discover' | 'none'
type Settings = { model: string; tools: ToolMode; chosen: string[]; approval: 'auto' | 'ask' }
type Server = { id: string; name: string }

/** The tool fields of a chat request (docs/tools.md): which tools the model is offered. */
function toolFields({ tools, chosen }: Settings): Record<string, unknown> {
  if (tools === 'auto') return { tools: 'auto' }
  if (tools === 'servers') return { tools: 'auto', servers: chosen }
  if (tools === 'discover') return { tools: 'discover', ...(chosen.length > 0 ? { servers: chosen } : {}) }
  return { tools: 'none' }
}

export function ChatPage() {
  const [models, setModels] = useState<string[] | null>(null)
  const [loadError, setLoadError] = useState<ApiError | null>(null)
  const [servers, setServers] = useState<Server[]>([])
  const [settings, setSettings] = useState<Settings>({
    model: '',
    tools: 'auto',
    chosen: [],
    approval: 'auto',
  })
  const [entries, setEntries] = useState<Entry[]>([])
  const [running, setRunning] = useState<string | null>(null)
  const [draft, setDraft] = useState('')
  const chats = useRef(0)
  const runningId = useRef<string | null>(null)

  useEffect(() => {
    void api.chat.models.get().then(({ data, error }) => {
      if (error) return setLoadError(errorOf(error))
      const ids = (data?.data ?? []).map((m) => m.id)
      setModels(ids)
      setSettings((s) => (s.model ? s : { ...s, model: ids[0] ?? '' }))
    })
    void api.servers.get().then(({ data, error }) => {
      if (error) return setLoadError(errorOf(error))
      setServers((data ?? []).filter((s) => s.status === 'healthy' || s.status === 'degraded'))
    })
  }, [])

  const finish = () => {
    runningId.current = null
    setRunning(null)
  }
  const send = useChatSocket({
    message(message: SocketMessage) {
      const id = runningId.current
      if (!id) return
      // An error the server could not tie to a chat (a message it could not read) is this chat's.
      const m = message.type === 'error' && message.id == null ? { ...message, id } : message
      setEntries((e) => applyMessage(e, id, m))
      if (endsChat(m, id)) finish()
    },
    closed(code) {
      if (!runningId.current) return
      const detail = canWrite.value
        ? `The chat connection closed (code ${code}).`
        : `The chat connection closed (code ${code}): chat needs an admin key.`
      setEntries((e) => [...e, { kind: 'error', code: 'connection_closed', message: detail }])
      finish()
    },
  })

  const question = draft.trim()
  const blocked = !settings.model
    ? 'Choose a model'
    : settings.tools === 'servers' && settings.chosen.length === 0
      ? 'Choose at least one server'
      : null
  const submit = (event: Event) => {
    event.preventDefault()
    if (!question || running || blocked) return
    const id = `chat-${++chats.current}`
    const next: Entry[] = [...entries, { kind: 'user', text: question }]
    setEntries(next)
    setDraft('')
    runningId.current = id
    setRunning(id)
    send({
      type: 'chat',
      id,
      model: settings.model,
      messages: historyOf(next),
      stream: true,
      tool_approval: settings.approval,
      ...toolFields(settings),
    })
  }
  const answer = (callId: string, verdict: 'approve' | 'deny') => {
    if (!running) return
    send({ type: verdict, id: running, call_id: callId })
    setEntries((e) => setApproval(e, callId, verdict === 'approve' ? 'approved' : 'denied'))
  }

  return (
    <section class="pg-page pg-chat" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      {role.value === 'read' && <p class="pg-warning">Chat needs an admin key: this one may only look.</p>}
      <ErrorNote error={loadError} />
      <ChatSettings
        models={models}
        servers={servers}
        settings={settings}
        disabled={running !== null}
        onChange={setSettings}
      />
      <ChatEntries entries={entries} servers={servers} running={running !== null} onAnswer={answer} />
      <form class="pg-composer" onSubmit={submit}>
        <label for="chat-message">Message</label>
        <textarea
          id="chat-message"
          rows={3}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) submit(e)
          }}
        />
        <div class="pg-actions">
          <button type="submit" disabled={!question || running !== null || blocked !== null}>
            Send
          </button>
          {running && (
            <button type="button" class="pg-danger" onClick={() => send({ type: 'cancel', id: running })}>
              Cancel
            </button>
          )}
          {!running && entries.length > 0 && (
            <button type="button" class="pg-secondary" onClick={() => setEntries([])}>
              New conversation
            </button>
          )}
          {blocked && <span class="pg-hint">{blocked}</span>}
        </div>
      </form>
    </section>
  )
}

function ChatSettings(props: {
  models: string[] | null
  servers: Server[]
  settings: Settings
  disabled: boolean
  onChange: (s: Settings) => void
}) {
  const { settings: s, onChange } = props
  const set = (change: Partial<Settings>) => onChange({ ...s, ...change })
  const toggle = (id: string, on: boolean) =>
    set({ chosen: on ? [...s.chosen, id] : s.chosen.filter((c) => c !== id) })
  const modes: [ToolMode, string][] = [
    ['auto', 'All healthy servers'],
    ['servers', 'Chosen servers'],
    ['discover', 'Discovery (search_tools and call_tool)'],
    ['none', 'No tools'],
  ]
  return (
    <fieldset class="pg-settings" disabled={props.disabled}>
      <legend>Settings</legend>
      <div>
        <label for="chat-model">Model</label>{' '}
        {props.models && props.models.length > 0 ? (
          <select id="chat-model" value={s.model} onChange={(e) => set({ model: e.currentTarget.value })}>
            {props.models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        ) : (
          <input
            id="chat-model"
            value={s.model}
            placeholder="openai/gpt-4o-mini"
            onInput={(e) => set({ model: e.currentTarget.value })}
          />
        )}
      </div>
      <fieldset class="pg-choices">
        <legend>Tools</legend>
        {modes.map(([mode, label]) => (
          <label key={mode}>
            <input
              type="radio"
              name="chat-tools"
              checked={s.tools === mode}
              onChange={() => set({ tools: mode })}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {(s.tools === 'servers' || s.tools === 'discover') && (
        <fieldset class="pg-choices">
          <legend>Servers{s.tools === 'discover' ? ' (none chosen: all healthy)' : ''}</legend>
          {props.servers.length === 0 && <span class="pg-hint">No healthy server</span>}
          {props.servers.map((server) => (
            <label key={server.id}>
              <input
                type="checkbox"
                checked={s.chosen.includes(server.id)}
                onChange={(e) => toggle(server.id, e.currentTarget.checked)}
              />{' '}
              {server.name}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset class="pg-choices">
        <legend>Tool approval</legend>
        <label>
          <input
            type="radio"
            name="chat-approval"
            checked={s.approval === 'auto'}
            onChange={() => set({ approval: 'auto' })}
          />{' '}
          Automatic
        </label>
        <label>
          <input
            type="radio"
            name="chat-approval"
            checked={s.approval === 'ask'}
            onChange={() => set({ approval: 'ask' })}
          />{' '}
          Ask before each call
        </label>
      </fieldset>
    </fieldset>
  )
}
