import { t } from 'elysia'
import { serverStatuses } from '../../shared/domain'
import { oneOf } from '../../shared/model'
import { badgeWindows } from './status'

const uptime = (window: string) =>
  t.Nullable(
    t.Number({ description: `Share of checks answered over the last ${window}; null without checks` }),
  )

export const StatusModel = {
  // Other parameters are let through: a status page's link may carry a cache-buster or a tracker's tag.
  pageQuery: t.Object(
    {
      format: t.Optional(
        oneOf(['html', 'json'], {
          description: '`json`: the rows as JSON (as does `Accept: application/json`)',
        }),
      ),
    },
    { additionalProperties: true },
  ),
  page: t.Object({
    servers: t.Array(
      t.Object({
        id: t.String({ description: "The server's id, for its badges" }),
        name: t.String(),
        status: oneOf(serverStatuses),
        uptime_24h: uptime('24 h'),
        uptime_30d: uptime('30 d'),
      }),
    ),
    updated_at: t.Number({ description: 'When the rows were read (epoch seconds)' }),
  }),
  badgeParams: t.Object({ id: t.String() }),
  uptimeQuery: t.Object(
    { window: t.Optional(oneOf(badgeWindows, { description: 'The window, 24h unless given' })) },
    { additionalProperties: true },
  ),
}
