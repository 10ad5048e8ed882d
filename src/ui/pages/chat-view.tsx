// The conversation as it is shown: questions, the model's text, a card per tool call, errors.
import type { Entry, ToolCard } from './chat-log'

type Props = {
  entries: Entry[]
  servers: { id: string; name: string }[]
  running: boolean
  onAnswer: (callId: string, verdict: 'approve' | 'deny') => void
}

export function ChatEntries({ entries, servers, running, onAnswer }: Props) {
  const nameOf = (id: string) => servers.find((s) => s.id === id)?.name ?? id
  return (
    <div class="pg-log" role="log" aria-label="Conversation" aria-live="polite">
      {entries.length === 0 && <p class="pg-hint">Ask something; the model may use the servers' tools.</p>}
      {entries.map((entry, i) => {
        const key = `${i}-${entry.kind}`
        switch (entry.kind) {
          case 'user':
            return (
              <div key={key} class="pg-msg pg-user">
                <span class="pg-who">You</span>
                <p>{entry.text}</p>
              </div>
            )
          case 'assistant':
            return (
              <div key={key} class="pg-msg pg-assistant">
                <span class="pg-who">Model</span>
                <p>{entry.text}</p>
              </div>
            )
          case 'tool':
            return (
              <ToolCardView
                key={`${i}-${entry.call.id}`}
                card={entry}
                server={nameOf(entry.call.server_id)}
                canAnswer={running}
                onAnswer={onAnswer}
              />
            )
          case 'error':
            return (
              <p key={key} class="pg-error" role="alert">
                <span class="pg-code">{entry.code}</span> {entry.message}
              </p>
            )
          default:
            return (
              <p key={key} class="pg-hint">
                {entry.text}
              </p>
            )
        }
      })}
    </div>
  )
}

/** The state of a call, as a word. */
function stateOf(card: ToolCard): string {
  if (card.result) return card.result.ok ? 'ok' : 'error'
  if (card.approval === 'pending') return 'waiting for approval'
  if (card.approval === 'denied') return 'denied'
  return 'running'
}

function ToolCardView(props: {
  card: ToolCard
  server: string
  canAnswer: boolean
  onAnswer: Props['onAnswer']
}) {
  const { call, result, approval } = props.card
  const state = stateOf(props.card)
  return (
    <article class={`pg-tool pg-tool-${state.replace(/ /g, '-')}`} aria-label={`Tool call ${call.name}`}>
      <header>
        <strong>{call.name}</strong> <span class="pg-hint">on {props.server}</span>{' '}
        <span class="pg-state">{state}</span>
        {result?.latencyMs != null && <span class="pg-hint"> {result.latencyMs} ms</span>}
      </header>
      <div class="pg-label">Arguments</div>
      <pre>{JSON.stringify(call.arguments, null, 2)}</pre>
      {result && (
        <>
          <div class="pg-label">Result</div>
          <pre>{result.text}</pre>
        </>
      )}
      {approval === 'pending' && props.canAnswer && (
        <div class="pg-actions">
          <button type="button" onClick={() => props.onAnswer(call.id, 'approve')}>
            Approve
          </button>
          <button type="button" class="pg-danger" onClick={() => props.onAnswer(call.id, 'deny')}>
            Deny
          </button>
        </div>
      )}
    </article>
  )
}
