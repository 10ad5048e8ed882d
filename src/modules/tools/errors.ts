import { HttpError } from '../../shared/errors'
import { serverNotFound } from '../servers/errors'
import type { CallFailure } from './failures'

// The errors of the direct tool routes (`/servers/{id}/tools`). Their codes are part of the API
// (documented with each route): never rename one.

/** The tool is not in the list the server's live session has (checked before any call is made). */
export const toolNotFound = (server: string, tool: string) =>
  new HttpError(404, 'tool_not_found', `The server ${server} lists no tool named ${JSON.stringify(tool)}`)

/** A server registered with transport `http` (or found to be one by `auto`): a `/health` check, no MCP. */
export const notAnMcpServer = (server: string) =>
  new HttpError(
    409,
    'not_an_mcp_server',
    `The server ${server} answers plain HTTP (transport "http"), not MCP: it has no tools`,
  )

/** A listing or a call that got no result from the server; `detail` says what failed and why. */
export function noResult(failure: CallFailure, detail: string): HttpError {
  switch (failure) {
    case 'removed':
      return serverNotFound()
    case 'timeout':
      return new HttpError(504, 'server_timeout', `${detail} (AUTOMCP_TOOL_TIMEOUT)`)
    case 'mcp_error':
      return new HttpError(502, 'mcp_error', detail)
    case 'auth_required':
      return new HttpError(
        409,
        'auth_required',
        `${detail}: the server refuses AutoMCP's credentials (authorize it with POST /servers/{id}/authorize, or change its headers)`,
      )
    case 'unreachable':
      return new HttpError(502, 'server_unreachable', detail)
  }
}
