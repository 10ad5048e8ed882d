import type { CallPiece, RawCall } from './call-pieces'
import { CallPieces } from './call-pieces'
import type { Chunk } from './stream'
import type { Completion } from './types'
import type { Upstream } from './upstream'
import type { Usage } from './usage'

/** One request of the tool loop as the loop reads it, whether streamed or not. */
export type StepAnswer = {
  /** Non-streaming only: the completion as the upstream answered it. */
  completion: Completion | undefined
  content: string
  calls: RawCall[]
  finishReason: string | null
  usage: Usage | null
}

type Delta = { content?: string | null; tool_calls?: CallPiece[] }
type StreamChunk = { choices?: { delta?: Delta }[] }

/** A non-streaming step: the text and tool calls of the completion's first choice. */
export async function completeStep(
  upstream: Upstream,
  request: Record<string, unknown>,
  signal: AbortSignal,
): Promise<StepAnswer> {
  const completion = (await upstream.complete(request, signal)) as Completion
  const choice = completion.choices?.[0]
  const message = choice?.message ?? {}
  const raw = (message.tool_calls ?? []).map((c, i) => ({
    id: c.id || `call_${i}`,
    name: c.function?.name ?? '',
    arguments: c.function?.arguments ?? '',
  }))
  return {
    completion,
    content: typeof message.content === 'string' ? message.content : '',
    calls: raw,
    finishReason: choice?.finish_reason ?? null,
    usage: completion.usage ?? null,
  }
}

/** A streaming step: every chunk goes on to `onChunks` while its text and call pieces are collected. */
export async function streamStep(
  upstream: Upstream,
  request: Record<string, unknown>,
  signal: AbortSignal,
  onChunks: (chunks: Chunk[]) => void | Promise<void>,
): Promise<StepAnswer> {
  let content = ''
  const pieces = new CallPieces()
  const end = await upstream.stream(
    request,
    (chunks) => {
      for (const chunk of chunks) {
        const delta = ((chunk.parsed ?? JSON.parse(chunk.raw)) as StreamChunk).choices?.[0]?.delta
        if (!delta) continue
        if (typeof delta.content === 'string') content += delta.content
        for (const part of delta.tool_calls ?? []) pieces.add(part)
      }
      return onChunks(chunks)
    },
    signal,
  )
  return {
    completion: undefined,
    content,
    calls: pieces.calls(),
    finishReason: end.finish_reason,
    usage: end.usage as Usage | null,
  }
}
