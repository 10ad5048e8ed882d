// Every server, one table row each, live: a row re-renders when its own signal changes, the table only
// when a server comes, goes or is renamed. The table's rows are displayed as CSS grids, not table rows:
// each is then laid out and painted on its own (containment does not apply to table layout), so a status
// that changes does not lay out the other thousand rows.
import { signal } from '@preact/signals'
import type { ServerInfo } from '../../modules/servers/model'
import { allTags, counts, loaded, order, rowOf } from '../live'
import { ms, percent, statusWords, transportOf } from '../parts/format'
import { Sparkline } from '../parts/sparkline'
import { uptimeOf } from '../parts/uptime'
import { hrefOf } from '../router'
import { canWrite } from '../session'

const statusFilter = signal<ServerInfo['status'] | ''>('')
const tagFilter = signal('')
const statuses = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const

const shown = (s: ServerInfo) =>
  (!statusFilter.value || s.status === statusFilter.value) &&
  (!tagFilter.value || s.tags.includes(tagFilter.value))

export function ServersPage() {
  const ids = order.value
  return (
    <section>
      <div class="title-row">
        <h1>Servers</h1>
        {canWrite.value && (
          <a class="button" href="#/register">
            Register a server
          </a>
        )}
      </div>
      <Filters />
      {loaded.value && ids.length === 0 ? (
        <p class="muted">No servers yet.</p>
      ) : (
        <table class="servers" aria-label="Servers">
          <thead>
            <tr class="srow head">
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Transport</th>
              <th scope="col">Latency</th>
              <th scope="col">Uptime 24 h</th>
              <th scope="col">Trend</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => (
              <ServerRow key={id} id={id} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Filters() {
  const c = counts.value
  return (
    <div class="filters">
      <fieldset class="counts">
        <legend class="sr-only">Filter by status</legend>
        <button
          type="button"
          class="chip"
          aria-pressed={statusFilter.value === ''}
          onClick={() => {
            statusFilter.value = ''
          }}
        >
          all {statuses.reduce((n, s) => n + c[s], 0)}
        </button>
        {statuses.map((s) => (
          <button
            key={s}
            type="button"
            class={`chip status-${s}`}
            aria-pressed={statusFilter.value === s}
            onClick={() => {
              statusFilter.value = statusFilter.value === s ? '' : s
            }}
          >
            {s} {c[s]}
          </button>
        ))}
      </fieldset>
      <label>
        Tag{' '}
        <select
          value={tagFilter.value}
          onChange={(e) => {
            tagFilter.value = (e.currentTarget as HTMLSelectElement).value
          }}
        >
          <option value="">any</option>
          {allTags.value.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
    </div>
  )
}

function ServerRow({ id }: { id: string }) {
  const row = rowOf(id)?.value
  if (!row || !shown(row.info)) return null
  const s = row.info
  return (
    <tr class={`srow status-${s.status}`}>
      <td>
        <a href={hrefOf({ page: 'server', id })}>{s.name}</a>
        {s.tags.length > 0 && <span class="tags"> {s.tags.join(', ')}</span>}
      </td>
      <td>
        <span class={`badge status-${s.status}`}>{statusWords(s)}</span>
      </td>
      <td>{transportOf(s)}</td>
      <td class="num">{ms(s.latency_ms)}</td>
      <td class="num">{percent(uptimeOf(id, s.uptime_24h))}</td>
      <td>
        <Sparkline values={row.latencies} />
      </td>
    </tr>
  )
}
