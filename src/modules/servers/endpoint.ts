/** What a check talks to. When any part of it changes, what the last check found says nothing any more. */
export type Endpoint = { url: string; transport: string; headers: Record<string, string> }

// Headers given in another order are the same headers.
const canonical = (headers: Record<string, string>) =>
  JSON.stringify(
    Object.keys(headers)
      .sort()
      .map((name) => [name, headers[name]]),
  )

/** Whether `changes` point the server at another endpoint than `old`; an omitted part is unchanged. */
export function endpointMoved(old: Endpoint, changes: Partial<Endpoint>): boolean {
  return (
    (changes.url !== undefined && changes.url !== old.url) ||
    (changes.transport !== undefined && changes.transport !== old.transport) ||
    (changes.headers !== undefined && canonical(changes.headers) !== canonical(old.headers))
  )
}
