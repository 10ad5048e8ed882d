import { Elysia } from 'elysia'
import { HttpError } from '../../shared/errors'
import { authErrors, dropNullOptionals, ErrorModel } from '../../shared/model'
import type { RateLimiter } from '../../shared/rate-limit'
import { ceilSeconds } from '../../shared/time'
import { accessMacro } from '../auth'
import { modelListHandler } from '../llm/model-list'
import type { ModelCatalog } from '../llm/models'
import { OpenAIModel } from './model'
import type { Completions } from './service'

/** Conversations with tool results run long: the OpenAI-compatible chat takes bodies up to this size. */
export const maxCompletionBodyBytes = 4 * 1024 * 1024

/** The OpenAI-compatible API: any OpenAI SDK or chat UI with AutoMCP's `/v1` as its base URL. */
export const openaiController = ({
  completions,
  models,
  chatLimiter,
}: {
  completions: Completions
  models: ModelCatalog
  chatLimiter: RateLimiter
}) =>
  new Elysia({ name: 'openai', prefix: '/v1', detail: { tags: ['openai'] } })
    .use(accessMacro)
    .post(
      '/chat/completions',
      async ({ body: sent, request, server, caller }) => {
        const waitMs = chatLimiter.take(caller)
        if (waitMs > 0) {
          const retry = ceilSeconds(waitMs)
          throw new HttpError(429, 'rate_limited', `Too many chats for this API key; retry in ${retry} s`, {
            'retry-after': String(retry),
          })
        }
        // A chat with tool steps may go quiet for longer than Bun's idle timeout: the chat's own
        // timeouts (upstream, tools) bound it instead.
        server?.timeout(request, 0)
        const body = dropNullOptionals(OpenAIModel.completionRequest, sent)
        if (!body.stream) return Response.json(await completions.complete(body, request.signal))
        return new Response(await completions.stream(body, request.signal), {
          headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        })
      },
      {
        access: 'admin',
        // Also what lists the body's fields in the OpenAPI document.
        parse: 'json',
        body: OpenAIModel.completionRequest,
        response: {
          ...authErrors,
          200: OpenAIModel.completion,
          400: ErrorModel,
          404: ErrorModel,
          413: ErrorModel,
          422: ErrorModel,
          502: ErrorModel,
          504: ErrorModel,
        },
        detail: {
          summary: 'OpenAI-compatible chat completion, with the tools of the healthy MCP servers',
          description: [
            'OpenAI\'s request and answer (streaming with `stream: true`, as Server-Sent Events ending with `data: [DONE]`). Unless the request says `tools: "none"` or brings OpenAI function tools of its own, the model may call every tool of every healthy registered MCP server (`GET /tools`); AutoMCP makes the calls and asks the model again, up to `max_steps` requests. The client sees the final answer; `automcp.tool_calls` (in the completion, or in the last chunk of a stream) lists the calls made.',
            'Extra fields: `tools` ("auto", "none" or tool names), `servers` (server ids), `max_steps`. Upstream failures: 400, 402, 404 and 429 keep their status, others are 502 (504 for timeouts); after a stream started, an `error` event. Errors also carry OpenAI\'s `error` object.',
          ].join('\n\n'),
        },
      },
    )
    .get('/models', modelListHandler(models, 'openai'), {
      access: 'read',
      response: { ...authErrors, 200: OpenAIModel.models, 502: ErrorModel },
      detail: {
        summary: "The upstream's models, in OpenAI's format",
        description: 'The same cached list as `GET /chat/models`, as OpenAI SDKs read it.',
      },
    })
