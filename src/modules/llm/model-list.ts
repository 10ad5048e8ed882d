import { HttpError } from '../../shared/errors'
import { UpstreamError } from './errors'
import type { ModelCatalog } from './models'

/**
 * How a route answers the model list: `upstream` passes the upstream's JSON through (`/chat/models`),
 * `openai` adds OpenAI's `object: "list"` (`/v1/models`).
 */
export type ModelListShape = 'upstream' | 'openai'

/** The handler of a model-list route: the cached list in the route's shape, `x-cache` saying how fresh. */
export const modelListHandler = (catalog: ModelCatalog, shape: ModelListShape) => async () => {
  try {
    const { text, cache } = await catalog.list()
    const body =
      shape === 'openai'
        ? JSON.stringify({ ...(JSON.parse(text) as { data: unknown[] }), object: 'list' })
        : text
    return new Response(body, { headers: { 'content-type': 'application/json', 'x-cache': cache } })
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e
    // `/v1/models` never named the status; its clients read `code`.
    const status = shape === 'upstream' && e.status ? ` (HTTP ${e.status})` : ''
    throw new HttpError(502, e.code, `The upstream's model list failed${status}: ${e.message}`)
  }
}
