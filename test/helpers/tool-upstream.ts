/**
 * An OpenAI-compatible upstream that plays a model using tools: `reply` sees each request (the
 * conversation so far, the tools offered) and says what the model answers: text, tool calls, or both.
 * Streamed answers are real SSE with each call split over several deltas, as OpenAI sends them.
 */
export type Reply = {
  content?: string
  calls?: { name: string; arguments: unknown }[]
  /** An OpenRouter-style failure: an HTTP error before the stream, or an error chunk after `content`. */
  fail?: { status: number; message: string; midStream?: boolean }
}
export type ToolRequest = {
  model: string
  messages: { role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown[] }[]
  tools?: { type: string; function: { name: string; description?: string; parameters: unknown } }[]
  tool_choice?: unknown
  stream?: boolean
  [key: string]: unknown
}

const encoder = new TextEncoder()
const sse = (data: unknown) =>
  encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }

export function toolUpstream(reply: (request: ToolRequest, n: number) => Reply | Promise<Reply>) {
  const seen: ToolRequest[] = []
  let served = 0
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      if (new URL(req.url).pathname.endsWith('/models'))
        return Response.json({ object: 'list', data: [{ id: 'fake/tool-model', object: 'model' }] })
      const body = (await req.json()) as ToolRequest
      seen.push(body)
      const answer = await reply(body, seen.length)
      const step = seen.length
      const { fail } = answer
      if (fail && !(fail.midStream && body.stream))
        return Response.json({ error: { code: fail.status, message: fail.message } }, { status: fail.status })
      const calls = (answer.calls ?? []).map((c, i) => ({
        id: `call_${step}_${i}`,
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      }))
      const finish_reason = calls.length > 0 ? 'tool_calls' : 'stop'
      const base = { id: `gen-${step}`, created: 1, model: body.model }
      if (!body.stream) {
        served++
        return Response.json({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: answer.content ?? null,
                ...(calls.length > 0
                  ? {
                      tool_calls: calls.map((c) => ({
                        id: c.id,
                        type: 'function',
                        function: { name: c.name, arguments: c.arguments },
                      })),
                    }
                  : {}),
              },
              finish_reason,
            },
          ],
          usage,
        })
      }
      const chunk = (delta: unknown, finish: string | null = null) => ({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: finish }],
      })
      const parts: Uint8Array<ArrayBuffer>[] = [sse(chunk({ role: 'assistant', content: '' }))]
      for (const word of (answer.content ?? '').split(/(?<= )/).filter(Boolean))
        parts.push(sse(chunk({ content: word })))
      calls.forEach((c, index) => {
        parts.push(
          sse(
            chunk({
              tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }],
            }),
          ),
        )
        const half = Math.ceil(c.arguments.length / 2)
        for (const piece of [c.arguments.slice(0, half), c.arguments.slice(half)])
          if (piece) parts.push(sse(chunk({ tool_calls: [{ index, function: { arguments: piece } }] })))
      })
      if (fail) {
        parts.push(
          sse({ ...chunk({ content: '' }, 'error'), error: { code: fail.status, message: fail.message } }),
        )
        return new Response(new Blob(parts), { headers: { 'content-type': 'text/event-stream' } })
      }
      parts.push(
        sse(chunk({}, finish_reason)),
        sse({ ...base, object: 'chat.completion.chunk', choices: [], usage }),
      )
      parts.push(sse('[DONE]'))
      served++
      return new Response(new Blob(parts), { headers: { 'content-type': 'text/event-stream' } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    seen,
    get served() {
      return served
    },
    stop: () => server.stop(true),
  }
}

/** The `tool` messages of a request: what the gateway gave back to the model. */
export const toolMessages = (request: ToolRequest) => request.messages.filter((m) => m.role === 'tool')
