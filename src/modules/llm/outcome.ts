import { HttpError } from '../../shared/errors'
import { ToolSelectionError } from '../tools/catalog'
import { Aborted, UpstreamError } from './errors'

/** How a chat ended, for its log line and `automcp_chats_total`: done, cancelled or an error code. */
export const chatOutcome = (e: unknown): string =>
  e instanceof Aborted
    ? 'cancelled'
    : e instanceof UpstreamError || e instanceof HttpError || e instanceof ToolSelectionError
      ? e.code
      : 'internal_error'
