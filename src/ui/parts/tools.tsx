// A server's tools, each with its input schema and (for an admin) a form that calls it directly.
import { useEffect, useState } from 'preact/hooks'
import { api, errorOf } from '../api'
import { canWrite } from '../session'

type Tool = { name: string; description: string | null; input_schema: Record<string, unknown> }

export function Tools({ id, version }: { id: string; version: number | null }) {
  const [tools, setTools] = useState<Tool[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  // `version`: the server's last check; its tools are read again once it answers.
  useEffect(() => {
    void api
      .servers({ id })
      .tools.get()
      .then(({ data, error: e }) => {
        setTools(data?.data ?? null)
        setError(errorOf(e)?.detail ?? null)
      })
  }, [id, version === null])
  return (
    <section class="card">
      <h2>Tools</h2>
      {error && <p class="muted">{error}</p>}
      {tools?.length === 0 && <p class="muted">This server lists no tools.</p>}
      {tools?.map((t) => (
        <ToolItem key={t.name} id={id} tool={t} />
      ))}
    </section>
  )
}

/** Starting arguments from the schema: each required property, empty of its type. */
function template(schema: Record<string, unknown>): string {
  const props = (schema.properties ?? {}) as Record<string, { type?: string }>
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : []
  const empty: Record<string, unknown> = {}
  for (const name of required) {
    const type = props[name]?.type
    empty[name] =
      type === 'number' || type === 'integer'
        ? 0
        : type === 'boolean'
          ? false
          : type === 'array'
            ? []
            : type === 'object'
              ? {}
              : ''
  }
  return JSON.stringify(empty, null, 2)
}

function ToolItem({ id, tool }: { id: string; tool: Tool }) {
  const [args, setArgs] = useState(() => template(tool.input_schema))
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const argsId = `args-${tool.name}`

  async function call(e: Event) {
    e.preventDefault()
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(args || '{}')
    } catch (err) {
      setResult({ ok: false, text: `The arguments are not JSON: ${String(err)}` })
      return
    }
    setBusy(true)
    // Eden joins path parameters as they are: a name with `/`, `?` or `%` must not reach another route.
    const name = encodeURIComponent(tool.name)
    const answer = await api.servers({ id }).tools({ name }).call.post({ arguments: parsed })
    setBusy(false)
    const failed = errorOf(answer.error)
    if (failed) setResult({ ok: false, text: `${failed.detail} (${failed.code})` })
    else if (answer.data)
      setResult({ ok: answer.data.ok, text: resultText(answer.data.content, answer.data.structured_content) })
  }

  return (
    <details class="tool">
      <summary>
        <code>{tool.name}</code> <span class="muted">{tool.description}</span>
      </summary>
      <pre class="schema">{JSON.stringify(tool.input_schema, null, 2)}</pre>
      {canWrite.value && (
        <form onSubmit={call}>
          <label for={argsId}>Arguments (JSON)</label>
          <textarea
            id={argsId}
            rows={4}
            value={args}
            onInput={(e) => setArgs((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <button type="submit" disabled={busy} aria-label={`Call ${tool.name}`}>
            Call
          </button>
        </form>
      )}
      {result && (
        <pre class={result.ok ? 'result' : 'result error'} role="status">
          {result.text}
        </pre>
      )}
    </details>
  )
}

/** The text parts as they are, other parts (images, resources) as JSON. */
function resultText(content: unknown[], structured: unknown): string {
  const parts = content.map((c) => {
    const part = c as { type?: string; text?: string }
    return part.type === 'text' && typeof part.text === 'string' ? part.text : JSON.stringify(c)
  })
  if (structured !== null && structured !== undefined) parts.push(JSON.stringify(structured, null, 2))
  return parts.join('\n')
}
