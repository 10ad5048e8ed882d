/**
 * What a check talks to: an address with headers, or a program with its environment. When any part of it
 * changes, what the last check found says nothing any more.
 */
export type Endpoint = {
  url: string
  transport: string
  headers: Record<string, string>
  command: string | null
  args: string[]
  env: Record<string, string>
  cwd: string | null
  oauth: unknown
}

// Headers (or variables) given in another order are the same ones.
const canonical = (values: Record<string, string>) =>
  JSON.stringify(
    Object.keys(values)
      .sort()
      .map((name) => [name, values[name]]),
  )

/** Whether `changes` point the server at another endpoint than `old`; an omitted part is unchanged. */
export function endpointMoved(old: Endpoint, changes: Partial<Endpoint>): boolean {
  const moved = <K extends keyof Endpoint>(key: K, same = (a: Endpoint[K], b: Endpoint[K]) => a === b) =>
    changes[key] !== undefined && !same(changes[key] as Endpoint[K], old[key])
  return (
    moved('url') ||
    moved('transport') ||
    moved('command') ||
    moved('cwd') ||
    moved('args', (a, b) => JSON.stringify(a) === JSON.stringify(b)) ||
    moved('headers', (a, b) => canonical(a) === canonical(b)) ||
    moved('env', (a, b) => canonical(a) === canonical(b)) ||
    moved('oauth', (a, b) => JSON.stringify(a) === JSON.stringify(b))
  )
}
