import { basename, isAbsolute } from 'node:path'

/**
 * Whether AUTOMCP_STDIO_COMMANDS lets `command` run: an empty list allows every command; a listed name
 * (`npx`) allows that name looked up in PATH, a listed absolute path allows exactly that file. A command
 * given as a path is never matched by a bare name, so `/tmp/npx` does not pass for `npx`.
 */
export function commandAllowed(command: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true
  if (isAbsolute(command) || command.includes('/')) return allowed.includes(command)
  return allowed.includes(command) && basename(command) === command
}
