import type { Db } from '../../db/client'
import type { AppMetrics } from '../../shared/metrics'
import type { SecretBox } from '../../shared/secrets'
import { serversController } from '.'
import { createServerRepository } from './repository'
import { createServerService } from './service'

type ServiceDeps = Parameters<typeof createServerService>[0]

/** The registry: its repository, its service, `/servers` and the `automcp_servers` gauge. */
export function createServersModule({
  db,
  box,
  metrics,
  ...deps
}: Omit<ServiceDeps, 'repo'> & { db: Db; box: SecretBox; metrics: AppMetrics }) {
  const repo = createServerRepository(db, box)
  const service = createServerService({ repo, ...deps })
  metrics.registry.gauge('automcp_servers', 'Registered servers by status', () =>
    repo.countByStatus().map(({ status, n }) => [{ status }, n]),
  )
  return { repo, service, controller: serversController(service) }
}
