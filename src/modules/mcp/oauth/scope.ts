/**
 * The scope to ask for (MCP authorization, "Scope selection"): what the user configured, else what the
 * server's challenge names, else what its resource metadata lists, else none; plus what was granted
 * already (a step-up asks for more, not for other scopes); plus `offline_access` when the authorization
 * server lists it, so a refresh token comes with the rest. Undefined means: send no scope at all.
 */
export function chooseScope({
  configured,
  challenge,
  resourceScopes,
  serverScopes,
  granted = [],
}: {
  configured?: string[]
  challenge?: string
  resourceScopes?: string[]
  serverScopes?: string[]
  granted?: string[]
}): string | undefined {
  const base = configured?.length
    ? configured
    : challenge
      ? challenge.split(/\s+/).filter(Boolean)
      : (resourceScopes ?? [])
  const scopes = new Set([...base, ...granted])
  if (scopes.size > 0 && serverScopes?.includes('offline_access')) scopes.add('offline_access')
  return scopes.size > 0 ? [...scopes].join(' ') : undefined
}

/** Whether a 403's challenge asks for nothing beyond `granted`: asking again would not help. */
export const asksNothingNew = (challenge: string | undefined, granted: string[]) =>
  (challenge ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .every((s) => granted.includes(s))
