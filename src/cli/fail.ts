/** A bad setting is the operator's to fix: one line naming it and exit 2, never a stack trace. */
export function fail(message: string): never {
  console.error(`automcp: ${message}`)
  process.exit(2)
}
