/** Why a stdio server's child is not there to talk to: the reason its checks report. */
export type StdioReason = 'spawn_failed' | 'process_exited' | 'crash_loop' | 'stdio_limit' | 'stdio_disabled'

/** A stdio server that cannot be reached because of its child (or the settings that start it). */
export class StdioError extends Error {
  override name = 'StdioError'
  constructor(
    readonly reason: StdioReason,
    message: string,
  ) {
    super(message)
  }
}
