import type { Db } from '../../db/client'
import type { AppMetrics } from '../../shared/metrics'
import { toolsController } from '.'
import { createToolCatalog } from './catalog'
import { createToolCallRepository } from './repository'

type CatalogDeps = Parameters<typeof createToolCatalog>[0]

/** The tools of healthy servers (the catalog), the record of every call, and `GET /tools`. */
export function createToolsModule({
  db,
  metrics,
  ...deps
}: Omit<CatalogDeps, 'calls' | 'observe'> & { db: Db; metrics: AppMetrics }) {
  const calls = createToolCallRepository(db)
  const catalog = createToolCatalog({
    ...deps,
    calls,
    observe: (outcome, seconds) => {
      metrics.toolCalls.inc({ outcome })
      metrics.toolCallDuration.observe(seconds)
    },
  })
  return { catalog, calls, controller: toolsController(catalog) }
}
