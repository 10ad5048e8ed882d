import { duration, httpUrl, integer, setting, units } from '../../shared/settings'

/** The OpenAI-compatible upstream, chats and their tool steps. */
export const llmSettings = {
  upstreamUrl: setting({
    env: 'AUTOMCP_UPSTREAM_URL',
    default: 'https://openrouter.ai/api/v1',
    doc: 'Base URL of the OpenAI-compatible chat upstream (OpenRouter, vLLM, Ollama, LM Studio…)',
    parse: httpUrl,
  }),
  upstreamApiKey: setting({
    env: 'OPENROUTER_API_KEY',
    alias: 'AUTOMCP_UPSTREAM_API_KEY',
    default: undefined,
    doc: 'Bearer key sent to the chat upstream; none is sent when unset',
    parse: (raw) => raw as string | undefined,
  }),
  upstreamTimeoutMs: setting({
    env: 'AUTOMCP_UPSTREAM_TIMEOUT',
    default: 30 * units.s,
    shown: '30s',
    doc: 'How long the upstream may take to start answering (connect and first byte)',
    parse: duration,
  }),
  upstreamIdleTimeoutMs: setting({
    env: 'AUTOMCP_UPSTREAM_IDLE_TIMEOUT',
    default: 60 * units.s,
    shown: '60s',
    doc: 'How long a streaming answer may go silent between chunks',
    parse: duration,
  }),
  modelsCacheMs: setting({
    env: 'AUTOMCP_MODELS_CACHE_TTL',
    default: 5 * units.m,
    shown: '5m',
    doc: "How long the upstream's model list is served from memory (stale copies stand in when it fails)",
    parse: duration,
  }),
  chatConcurrency: setting({
    env: 'AUTOMCP_CHAT_CONCURRENCY',
    default: 4,
    doc: 'Chats running at once on one `/chat` socket; one more gets `too_many_requests`',
    parse: integer(1, 1_000),
  }),
  chatRateLimit: setting({
    env: 'AUTOMCP_CHAT_RATE_LIMIT',
    default: 60,
    doc: 'Chats a minute per API key on `/chat` and `/v1/chat/completions`; over it: `rate_limited`; 0: no limit',
    parse: integer(0, 100_000_000),
  }),
  maxSteps: setting({
    env: 'AUTOMCP_MAX_STEPS',
    default: 8,
    doc: 'Requests to the model per chat with tool use (tool calls run in between); a chat may ask for fewer or more with `max_steps`',
    parse: integer(1, 64),
  }),
  toolTimeoutMs: setting({
    env: 'AUTOMCP_TOOL_TIMEOUT',
    default: 30 * units.s,
    shown: '30s',
    doc: 'How long one MCP tool call may take; then the model gets an error result',
    parse: duration,
  }),
  maxTools: setting({
    env: 'AUTOMCP_MAX_TOOLS',
    default: 128,
    doc: 'Tools one chat may be offered (OpenAI\'s limit is 128); past it `"tools": "auto"` switches to discovery mode (`search_tools` and `call_tool`) and a list of names gets `too_many_tools`',
    parse: integer(1, 10_000),
  }),
  discoveryThreshold: setting({
    env: 'AUTOMCP_DISCOVERY_THRESHOLD',
    default: 64,
    doc: 'Tools above which `/mcp` offers discovery mode: only `search_tools` and `call_tool` rather than every tool; 0: always',
    parse: integer(0, 100_000),
  }),
  keepAliveMs: setting({
    env: 'AUTOMCP_KEEPALIVE',
    default: 10 * units.s,
    shown: '10s',
    doc: 'How long a `/v1/chat/completions` stream may stay quiet (tools running, the model thinking) before a `: keep-alive` comment is sent',
    parse: duration,
  }),
  toolApprovalTimeoutMs: setting({
    env: 'AUTOMCP_TOOL_APPROVAL_TIMEOUT',
    default: 60 * units.s,
    shown: '60s',
    doc: 'How long a call waits for `approve` or `deny` with `tool_approval: "ask"`; then it is not made',
    parse: duration,
  }),
}
