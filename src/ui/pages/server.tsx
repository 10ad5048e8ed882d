// One server: what it is and how it does (live from its row), its latency chart, checks, tools, logs,
// and, for an admin, Test now, Edit, Delete and OAuth's Connect.
import { useState } from 'preact/hooks'
import type { ServerInfo } from '../../modules/servers/model'
import { api, errorOf } from '../api'
import { loaded, order, rowOf } from '../live'
import { DeleteServer, EditServer } from '../parts/edit-server'
import { ms, percent, statusWords, transportOf, when } from '../parts/format'
import { LatencyChart } from '../parts/latency-chart'
import { CheckHistory, Logs, OAuthPanel } from '../parts/server-panels'
import { Tools } from '../parts/tools'
import { uptimeOf } from '../parts/uptime'
import { canWrite } from '../session'

export function ServerPage({ id }: { id: string }) {
  // `order` changes when a server comes or goes: read so that a server registered a moment ago shows up.
  const row = order.value.includes(id) ? rowOf(id)?.value : undefined
  const [editing, setEditing] = useState(false)
  if (!row) return <p class="muted">{loaded.value ? `No server ${id}.` : 'Loading…'}</p>
  const s = row.info
  return (
    <section>
      <p>
        <a href="#/servers">← Servers</a>
      </p>
      <div class="title-row">
        <h1>{s.name}</h1>
        {canWrite.value && <Actions server={s} onEdit={() => setEditing(true)} />}
      </div>
      <Summary server={s} />
      {editing && <EditServer server={s} onDone={() => setEditing(false)} />}
      {s.auth.type === 'oauth' && <OAuthPanel server={s} />}
      <LatencyChart id={id} row={row} />
      <Tools id={id} version={s.last_checked} />
      <CheckHistory id={id} version={s.last_checked} />
      {s.command !== null && <Logs id={id} version={s.last_checked} />}
    </section>
  )
}

function Actions({ server, onEdit }: { server: ServerInfo; onEdit: () => void }) {
  const [testing, setTesting] = useState(false)
  const [outcome, setOutcome] = useState<string | null>(null)
  async function test() {
    setTesting(true)
    const { data, error } = await api.servers({ id: server.id }).test.post()
    setTesting(false)
    const problem = errorOf(error)
    setOutcome(
      problem
        ? problem.detail
        : data
          ? `${data.success ? 'Answered' : 'Failed'}: ${statusWords(data)}, ${ms(data.latency_ms < 0 ? null : data.latency_ms)}`
          : null,
    )
  }
  return (
    <div class="actions">
      <button type="button" onClick={test} disabled={testing}>
        Test now
      </button>
      <button type="button" onClick={onEdit}>
        Edit
      </button>
      <DeleteServer id={server.id} />
      {outcome && <span role="status">{outcome}</span>}
    </div>
  )
}

function Summary({ server: s }: { server: ServerInfo }) {
  return (
    <dl class="summary card">
      <dt>Status</dt>
      <dd>
        <span class={`badge status-${s.status}`}>{statusWords(s)}</span>
      </dd>
      <dt>{s.command === null ? 'URL' : 'Command'}</dt>
      <dd>
        <code>{s.command === null ? s.url : [s.command, ...s.args].join(' ')}</code>
      </dd>
      <dt>Transport</dt>
      <dd>{transportOf(s)}</dd>
      <dt>Latency</dt>
      <dd>
        {ms(s.latency_ms)} <span class="muted">(handshake {ms(s.handshake_ms)})</span>
      </dd>
      <dt>Uptime 24 h</dt>
      <dd>{percent(uptimeOf(s.id, s.uptime_24h))}</dd>
      <dt>Last check</dt>
      <dd>{when(s.last_checked)}</dd>
      <dt>Interval</dt>
      <dd>{s.interval_s === null ? 'default' : `${s.interval_s} s`}</dd>
      <dt>Tags</dt>
      <dd>{s.tags.join(', ') || '—'}</dd>
      {s.process && (
        <>
          <dt>Process</dt>
          <dd>
            {s.process.pid ? `pid ${s.process.pid}` : 'not running'} · {s.process.restarts} restarts
          </dd>
        </>
      )}
    </dl>
  )
}
