import { createHash } from 'node:crypto'

/** The upstream's rule for function names (OpenAI's, which OpenRouter and others follow). */
const maxLength = 64
const invalid = /[^A-Za-z0-9_-]+/g

export type NamedTool = { serverId: string; serverName: string; tool: string }

const tag = (t: NamedTool) =>
  createHash('sha256').update(`${t.serverId}\0${t.tool}`).digest('hex').slice(0, 6)

/**
 * The function name the model sees for each MCP tool: `<server name>__<tool>`, sanitised to
 * `[A-Za-z0-9_-]{1,64}`. Tools are taken in the order given (the caller sorts them by server age), so the
 * first of two that sanitise alike keeps the readable name and the other gets a suffix derived from its
 * server id and tool name: the same set of servers always yields the same names.
 */
export function assignNames<T extends NamedTool>(tools: readonly T[]): (T & { name: string })[] {
  const taken = new Set<string>()
  return tools.map((t) => {
    const readable = `${t.serverName}__${t.tool}`.replace(invalid, '_')
    let name = readable.length <= maxLength ? readable : withSuffix(readable, tag(t))
    if (taken.has(name)) name = withSuffix(readable, tag(t))
    for (let n = 2; taken.has(name); n++) name = withSuffix(readable, `${tag(t)}${n}`)
    taken.add(name)
    return { ...t, name }
  })
}

const withSuffix = (name: string, suffix: string) =>
  `${name.slice(0, maxLength - suffix.length - 1)}_${suffix}`
