import type { CallOutcome } from '../tools/catalog'

// What the model gets of a tool's answer at most: one result must not eat its whole context.
const maxResultChars = 64 * 1024
// What a client is sent of one result at most, all parts together.
const maxClientChars = 256 * 1024

/** A failed call that never reached its server: the model reads `message` as the tool's answer. */
export const refused = (message: string): CallOutcome => ({
  ok: false,
  content: [{ type: 'text', text: message }],
  latencyMs: 0,
  error: message,
})

/** A tool's answer as the text of a `tool` message: its text parts, and a note for what is not text. */
export function resultText(result: CallOutcome): string {
  const parts = result.content.map((part) => {
    const p = part as {
      type?: string
      text?: string
      mimeType?: string
      uri?: string
      resource?: { uri?: string; text?: string }
    }
    if (p.type === 'text' && typeof p.text === 'string') return p.text
    if (p.type === 'resource') return p.resource?.text ?? `[resource ${p.resource?.uri ?? ''}]`
    if (p.type === 'resource_link') return `[resource ${p.uri ?? ''}]`
    if (p.type === 'image' || p.type === 'audio') return `[${p.type} ${p.mimeType ?? ''}]`
    return JSON.stringify(part)
  })
  let text = parts.join('\n')
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent)
  if (!result.ok) text = `Error: ${text}`
  return text.length > maxResultChars ? `${text.slice(0, maxResultChars)}… [truncated]` : text
}

/**
 * A result's content as a client is sent it: a large text is cut and a large image's or audio's data left
 * out (`omitted_bytes` says how much), and parts past 256 KB in all are left out, so that one tool cannot
 * flood a client (a `/chat` socket 1 MB behind is closed).
 */
export function boundedContent(content: unknown[]): unknown[] {
  let budget = maxClientChars
  const parts: unknown[] = []
  for (const part of content) {
    const bounded = boundedPart(part)
    const size = JSON.stringify(bounded).length
    if (size > budget) {
      parts.push({ type: 'text', text: `[${content.length - parts.length} more parts left out]` })
      break
    }
    budget -= size
    parts.push(bounded)
  }
  return parts
}

function boundedPart(part: unknown): unknown {
  const p = part as {
    type?: string
    text?: unknown
    data?: unknown
    resource?: { text?: unknown; blob?: unknown }
  }
  if (typeof p.text === 'string' && p.text.length > maxResultChars)
    return { ...p, text: `${p.text.slice(0, maxResultChars)}… [truncated]` }
  if (typeof p.data === 'string' && p.data.length > maxResultChars) {
    const { data, ...rest } = p
    return { ...rest, omitted_bytes: Math.floor((data.length * 3) / 4) }
  }
  const r = p.resource
  if (
    r &&
    ((typeof r.text === 'string' && r.text.length > maxResultChars) ||
      (typeof r.blob === 'string' && r.blob.length > maxResultChars))
  ) {
    const { text, blob, ...rest } = r
    const size = typeof blob === 'string' ? Math.floor((blob.length * 3) / 4) : String(text).length
    return { ...p, resource: { ...rest, omitted_bytes: size } }
  }
  return part
}
