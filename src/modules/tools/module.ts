import type { Db } from '../../db/client'
import type { AppMetrics } from '../../shared/metrics'
import { toolsController } from '.'
import { createToolCallLog } from './call-log'
import { createToolCatalog } from './catalog'
import { createDirectTools } from './direct'
import { createToolCallRepository } from './repository'

type CatalogDeps = Parameters<typeof createToolCatalog>[0]

/**
 * The tools of healthy servers (the catalog), any server's tools listed and called directly, the record
 * of every call, and their routes.
 */
export function createToolsModule({
  db,
  metrics,
  ...deps
}: Omit<CatalogDeps, 'calls' | 'observe'> & { db: Db; metrics: AppMetrics }) {
  const calls = createToolCallLog(createToolCallRepository(db), deps.logger)
  const catalog = createToolCatalog({
    ...deps,
    calls,
    observe: (outcome, seconds, source) => {
      metrics.toolCalls.inc({ outcome, source })
      metrics.toolCallDuration.observe(seconds)
    },
  })
  const direct = createDirectTools({ repo: deps.repo, transport: deps.transport, catalog })
  return { catalog, calls, controller: toolsController(catalog, direct) }
}
