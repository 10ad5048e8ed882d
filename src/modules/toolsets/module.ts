import type { Db } from '../../db/client'
import { toolsetsController } from '.'
import { createToolsetRepository } from './repository'
import { createToolsetService } from './service'

type ServiceDeps = Parameters<typeof createToolsetService>[0]

/**
 * Toolsets: `/toolsets`, and what the gateway reads to serve /mcp/<name>: `repo.byName(name)` and
 * `list()` (stored rows), with selection.ts's `selectsServer` and `selectsTool`.
 */
export function createToolsetsModule({ db, ...deps }: Omit<ServiceDeps, 'repo'> & { db: Db }) {
  const repo = createToolsetRepository(db)
  const service = createToolsetService({ repo, ...deps })
  return { repo, service, list: repo.list, controller: toolsetsController(service) }
}
