// Registering a server: a URL, or a stdio command with its arguments and environment. The API's
// validation errors appear beside the field they name, others above the form.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { RegisterBody } from '../../modules/servers/model'
import { api, errorOf } from '../api'
import { placeError } from '../parts/field-errors'
import { canWrite } from '../session'

const fields = ['url', 'command', 'args', 'env', 'name', 'id', 'transport', 'tags', 'interval_s'] as const
const transports = ['auto', 'streamable-http', 'sse', 'http'] as const

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)

/** The request body from the form: empty fields left out, so the API's defaults apply. */
function bodyOf(form: FormData, kind: 'url' | 'stdio'): RegisterBody {
  const text = (name: string) => String(form.get(name) ?? '').trim()
  const body: RegisterBody = { name: text('name') }
  if (text('id')) body.id = text('id')
  const tags = text('tags')
  if (tags)
    body.tags = tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
  // A value that is not a number goes as written, for the API to name the field.
  const interval = text('interval_s')
  if (interval) body.interval_s = (Number.isInteger(Number(interval)) ? Number(interval) : interval) as number
  if (kind === 'url') {
    body.url = text('url')
    body.transport = text('transport') as RegisterBody['transport']
    return body
  }
  body.transport = 'stdio'
  body.command = text('command')
  body.args = lines(String(form.get('args') ?? ''))
  body.env = Object.fromEntries(
    lines(String(form.get('env') ?? '')).map((l) => {
      const at = l.indexOf('=')
      return at < 0 ? [l, ''] : [l.slice(0, at), l.slice(at + 1)]
    }),
  )
  return body
}

export function RegisterPage() {
  const [kind, setKind] = useState<'url' | 'stdio'>('url')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  if (!canWrite.value) return <p>Registering a server needs an admin key.</p>

  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    const { data, error } = await api.servers.register.post(
      bodyOf(new FormData(e.currentTarget as HTMLFormElement), kind),
    )
    setBusy(false)
    const problem = errorOf(error)
    if (problem) setErrors(placeError(problem.detail, problem.code, fields))
    else if (data) location.hash = `#/servers/${encodeURIComponent(data.server_id)}`
  }

  const field = (name: (typeof fields)[number], label: string, input: ComponentChildren, hint?: string) => (
    <div class={errors[name] ? 'field invalid' : 'field'}>
      <label for={`f-${name}`}>{label}</label>
      {input}
      {hint && <small class="muted">{hint}</small>}
      {errors[name] && (
        <small class="error" id={`e-${name}`} role="alert">
          {errors[name]}
        </small>
      )}
    </div>
  )
  const described = (name: string) => (errors[name] ? `e-${name}` : undefined)

  return (
    <section>
      <h1>Register a server</h1>
      {errors[''] && (
        <p class="error" role="alert">
          {errors['']}
        </p>
      )}
      <form class="card register" onSubmit={submit} noValidate>
        <fieldset class="segmented">
          <legend>Kind</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'url'} onChange={() => setKind('url')} /> By URL
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'stdio'} onChange={() => setKind('stdio')} />{' '}
            Command (stdio)
          </label>
        </fieldset>
        {kind === 'url' ? (
          <>
            {field(
              'url',
              'URL',
              <input
                id="f-url"
                name="url"
                placeholder="http://127.0.0.1:3001/mcp"
                aria-describedby={described('url')}
              />,
            )}
            {field(
              'transport',
              'Transport',
              <select id="f-transport" name="transport">
                {transports.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>,
            )}
          </>
        ) : (
          <>
            {field(
              'command',
              'Command',
              <input
                id="f-command"
                name="command"
                placeholder="npx"
                aria-describedby={described('command')}
              />,
            )}
            {field(
              'args',
              'Arguments',
              <textarea id="f-args" name="args" rows={3} aria-describedby={described('args')} />,
              'One per line',
            )}
            {field(
              'env',
              'Environment',
              <textarea id="f-env" name="env" rows={3} aria-describedby={described('env')} />,
              'NAME=value, one per line',
            )}
          </>
        )}
        {field('name', 'Name', <input id="f-name" name="name" aria-describedby={described('name')} />)}
        {field(
          'id',
          'Id',
          <input id="f-id" name="id" aria-describedby={described('id')} />,
          'Optional: made from the name when empty',
        )}
        {field(
          'tags',
          'Tags',
          <input id="f-tags" name="tags" aria-describedby={described('tags')} />,
          'Comma-separated',
        )}
        {field(
          'interval_s',
          'Check interval (s)',
          <input
            id="f-interval_s"
            name="interval_s"
            inputMode="numeric"
            placeholder="default"
            aria-describedby={described('interval_s')}
          />,
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            Register
          </button>
        </div>
      </form>
    </section>
  )
}
