// What the chat page shows, as data: the `/chat` socket's messages (docs/protocols.md) folded into a list of
// entries, and the conversation they make for the next request. Pure, so it is tested without a browser.

export type ToolCall = { id: string; name: string; server_id: string; arguments: unknown }
export type ToolCard = {
  kind: 'tool'
  call: ToolCall
  /** `pending` while AutoMCP waits for Approve or Deny (`tool_approval: "ask"`). */
  approval: 'none' | 'pending' | 'approved' | 'denied'
  result?: { ok: boolean; text: string; latencyMs: number | null }
}
export type Entry =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | ToolCard
  | { kind: 'error'; code: string; message: string }
  | { kind: 'end'; text: string }

type Message = { type?: unknown; id?: unknown; [field: string]: unknown }

/** The entries after one socket message of the running chat; messages of other chats change nothing. */
export function applyMessage(entries: Entry[], chatId: string, message: Message): Entry[] {
  if (message.id !== chatId) return entries
  switch (message.type) {
    case 'chunk':
      return appendText(entries, chunkText(message.data))
    case 'chunks':
      return appendText(entries, (Array.isArray(message.data) ? message.data : []).map(chunkText).join(''))
    case 'response':
      return appendText(entries, completionText(message.data))
    case 'tool_call':
      return [...entries, { kind: 'tool', call: message.call as ToolCall, approval: 'none' }]
    case 'tool_approval':
      return updateCard(entries, (message.call as ToolCall).id, (card) => ({ ...card, approval: 'pending' }))
    case 'tool_result':
      return updateCard(entries, String(message.call_id), (card) => ({
        ...card,
        result: {
          ok: message.ok === true,
          text: contentText(message.content),
          latencyMs: typeof message.latency_ms === 'number' ? message.latency_ms : null,
        },
      }))
    case 'error': {
      const error = (message.error ?? {}) as { code?: unknown; message?: unknown }
      return [
        ...entries,
        { kind: 'error', code: String(error.code ?? 'error'), message: String(error.message ?? '') },
      ]
    }
    case 'cancelled':
      return [...entries, { kind: 'end', text: 'Cancelled' }]
    case 'done':
      return message.max_steps_reached
        ? [
            ...entries,
            { kind: 'end', text: `Stopped after ${String(message.steps)} model requests (max_steps)` },
          ]
        : entries
    default:
      return entries
  }
}

/**
 * True for the messages that end a chat. An `unknown_id` error answers a late verdict or cancel (the call
 * stopped waiting, the chat ended): the chat, if it still runs, goes on.
 */
export function endsChat(message: Message, chatId: string): boolean {
  if (message.id !== chatId) return false
  if (message.type === 'error') return (message.error as { code?: unknown })?.code !== 'unknown_id'
  return ['done', 'response', 'cancelled'].includes(String(message.type))
}

/** Marks a call approved or denied as soon as the user answers, before the result comes. */
export const setApproval = (entries: Entry[], callId: string, approval: 'approved' | 'denied') =>
  updateCard(entries, callId, (card) => ({ ...card, approval }))

/**
 * The conversation to send with the next question: each question and the model's text after it (tool
 * steps stay inside AutoMCP, so only their outcome, the text, is the model's to remember).
 */
export function historyOf(entries: Entry[]): { role: 'user' | 'assistant'; content: string }[] {
  const messages: { role: 'user' | 'assistant'; content: string }[] = []
  for (const entry of entries) {
    if (entry.kind === 'user') messages.push({ role: 'user', content: entry.text })
    else if (entry.kind === 'assistant' && entry.text) {
      const last = messages.at(-1)
      if (last?.role === 'assistant') last.content += entry.text
      else messages.push({ role: 'assistant', content: entry.text })
    }
  }
  return messages
}

/** An MCP result's content as text: text parts as they are, other parts named by their type. */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return ''
  return content
    .map((part: { type?: unknown; text?: unknown }) =>
      part?.type === 'text' && typeof part.text === 'string' ? part.text : `[${String(part?.type)}]`,
    )
    .join('\n')
}

function chunkText(data: unknown): string {
  const choice = (data as { choices?: { delta?: { content?: unknown } }[] })?.choices?.[0]
  return typeof choice?.delta?.content === 'string' ? choice.delta.content : ''
}

function completionText(data: unknown): string {
  const choice = (data as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]
  return typeof choice?.message?.content === 'string' ? choice.message.content : ''
}

// Text after a tool card starts a new block, so the answer reads in the order it was made.
function appendText(entries: Entry[], text: string): Entry[] {
  if (!text) return entries
  const last = entries.at(-1)
  if (last?.kind === 'assistant') return [...entries.slice(0, -1), { ...last, text: last.text + text }]
  return [...entries, { kind: 'assistant', text }]
}

/** The newest card with this call id changes: ids repeat across chats (AutoMCP names calls `call_0`…). */
function updateCard(entries: Entry[], callId: string, change: (card: ToolCard) => ToolCard): Entry[] {
  const at = entries.findLastIndex((e) => e.kind === 'tool' && e.call.id === callId)
  if (at === -1) return entries
  return entries.map((e, i) => (i === at && e.kind === 'tool' ? change(e) : e))
}
