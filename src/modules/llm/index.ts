import type { AppMetrics } from '../../shared/metrics'
import type { SettingValues } from '../../shared/settings'
import type { ToolCatalog, ToolSelection } from '../tools/catalog'
import { createAgent } from './agent'
import type { ChatTools } from './chat'
import type { llmSettings } from './config'
import { createModelCatalog } from './models'
import { createChatStats } from './stats'
import { createUpstream } from './upstream'

/** The settings of the upstream, chats and the tool loop, as `config.ts` in this folder declares them. */
export type LlmConfig = SettingValues<typeof llmSettings>

export type LlmModule = ReturnType<typeof createLlmModule>

/**
 * What every chat transport runs on: the upstream client, its cached model list, the tool loop over
 * the catalog's tools (`tools.chat` for `/chat`, `tools.v1` for `/v1`), and the chat statistics behind
 * `/metrics`.
 */
export function createLlmModule({
  config,
  catalog,
  metrics,
  now = Date.now,
}: {
  config: LlmConfig
  catalog: Pick<ToolCatalog, 'select' | 'call'>
  metrics: Pick<AppMetrics, 'chats' | 'upstreamErrors'>
  now?: () => number
}) {
  const upstream = createUpstream({
    baseUrl: config.upstreamUrl,
    apiKey: config.upstreamApiKey,
    timeoutMs: config.upstreamTimeoutMs,
    idleTimeoutMs: config.upstreamIdleTimeoutMs,
  })
  // One tool loop per transport, so that each call is recorded as made for /chat or for /v1.
  const toolsFor = (source: 'chat' | 'v1'): ChatTools => ({
    select: (selection: ToolSelection, signal: AbortSignal) =>
      catalog.select(selection, { maxTools: config.maxTools, signal }),
    run: createAgent(upstream, (entry, args, signal) => catalog.call(entry, args, signal, source)),
    maxSteps: config.maxSteps,
    approvalTimeoutMs: config.toolApprovalTimeoutMs,
  })
  const tools = { chat: toolsFor('chat'), v1: toolsFor('v1') }
  const stats = createChatStats((outcome) => {
    metrics.chats.inc({ outcome })
    if (outcome.startsWith('upstream_')) metrics.upstreamErrors.inc({ code: outcome })
  })
  return { upstream, tools, stats, models: createModelCatalog(upstream, config.modelsCacheMs, now) }
}
