// A tool handler's middle, for the gateway's transport tests: it reports progress (when the call asked for
// it) and then asks its client a question (elicitation), as a tool that needs the user would.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import {
  type CallToolRequest,
  ElicitResultSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js'

/** Sends progress 1 of 2 if the call has a progress token, then elicits a name; the client's answer. */
export async function progressThenElicit(
  request: CallToolRequest,
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
) {
  const progressToken = request.params._meta?.progressToken
  if (progressToken !== undefined)
    await extra.sendNotification({
      method: 'notifications/progress',
      params: { progressToken, progress: 1, total: 2, message: 'asking' },
    })
  const answer = await extra.sendRequest(
    {
      method: 'elicitation/create',
      params: {
        message: 'Your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      },
    },
    ElicitResultSchema,
  )
  return answer.content
}
