// A lexical index over a tool catalog, for discovery mode: the model (or an MCP client) searches the
// tools instead of being offered hundreds of them. Pure and rebuilt whenever the catalog changes, so
// building is one pass over the entries and their words.

/** What the index reads of a tool; `healthy` (status up) and `latencyMs` only order close matches. */
export type SearchEntry = {
  name: string
  description?: string
  serverName: string
  inputSchema: Record<string, unknown>
  healthy: boolean
  latencyMs?: number | null
}

export type ToolIndex<T extends SearchEntry> = { search(query: string, limit?: number): T[]; size: number }

export const defaultSearchLimit = 10
export const maxSearchLimit = 50

// BM25 (k1, b as usual) over one weighted bag of words per tool (BM25F): a word in the tool's name
// counts three times, in its server's name twice, in its description once.
const k1 = 1.2
const b = 0.75
const weights = { name: 3, server: 2, description: 1 }
// A query word that is no whole word of the catalog matches the words it begins ("calc" → "calculator")
// at this fraction of a whole-word match.
const prefixFactor = 0.5
const minPrefix = 3
// Health and speed are a modest boost, never enough to lift a clearly worse lexical match: a healthy
// server adds 10%, speed up to 10% more (latency L ms gives 0.1 × 250 / (250 + L)).
const healthBoost = 0.1
const speedBoost = 0.1
const speedHalfMs = 250

// Words that say nothing about which tool is meant ("a tool to read the files of a repo").
const stopWords = new Set(
  'a an and are as at be by can for from get i in is it me my of on or set that the this to tool tools use with'.split(
    ' ',
  ),
)

/**
 * The words of a text: split at anything not a letter or digit (so snake_case, kebab-case and `__`),
 * at camelCase humps and letter-digit boundaries, lower-cased, a plural `s` dropped. With `compounds`,
 * a word split at its humps is kept whole as well, so that "github" finds "GitHub".
 */
export function words(text: string, compounds = false): string[] {
  const out: string[] = []
  for (const chunk of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!chunk) continue
    const parts = chunk.split(humps)
    for (const part of parts) out.push(stem(part.toLowerCase()))
    if (compounds && parts.length > 1) out.push(stem(chunk.toLowerCase()))
  }
  return out
}

// camelCase (getTinyImage), acronyms (HTTPServer) and letters against digits (base64).
const humps = /(?<=[a-z\d])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-zA-Z])(?=\d)|(?<=\d)(?=[a-zA-Z])/

const stem = (w: string) =>
  w.length > 4 && w.endsWith('ies')
    ? `${w.slice(0, -3)}y`
    : w.length > 3 && w.endsWith('s') && !w.endsWith('ss')
      ? w.slice(0, -1)
      : w

type Posting = { doc: number; tf: number }

/**
 * An index over `entries` (kept as given: `search` returns the same objects). A query's words are
 * scored with BM25F, then multiplied by the health and speed boost; equal scores go to the healthy,
 * then the faster, then the earlier entry. An empty query (or one of stop words only) lists the first
 * `limit` entries by health and speed; a query that matches nothing gives none. `limit`: 10 by
 * default, 1 to 50.
 */
export function createToolIndex<T extends SearchEntry>(entries: readonly T[]): ToolIndex<T> {
  const postings = new Map<string, Posting[]>()
  const lengths = new Float64Array(entries.length)
  let total = 0
  entries.forEach((entry, doc) => {
    const bag = new Map<string, number>()
    const add = (text: string | undefined, weight: number) => {
      for (const w of words(text ?? '', true)) bag.set(w, (bag.get(w) ?? 0) + weight)
    }
    add(entry.name, weights.name)
    add(entry.serverName, weights.server)
    add(entry.description, weights.description)
    let length = 0
    for (const [word, tf] of bag) {
      length += tf
      const list = postings.get(word)
      if (list) list.push({ doc, tf })
      else postings.set(word, [{ doc, tf }])
    }
    lengths[doc] = length
    total += length
  })
  const averageLength = total / Math.max(1, entries.length) || 1
  const boosts = entries.map(boostOf)
  const byHealth = entries.map((_, i) => i).sort((x, y) => preferred(entries, x, y))

  function score(query: string): Float64Array | undefined {
    const terms = [...new Set(words(query).filter((w) => !stopWords.has(w)))]
    if (terms.length === 0) return undefined
    const scores = new Float64Array(entries.length)
    for (const term of terms)
      for (const [word, factor] of expand(postings, term)) {
        const list = postings.get(word) as Posting[]
        const idf = Math.log(1 + (entries.length - list.length + 0.5) / (list.length + 0.5))
        for (const { doc, tf } of list) {
          const norm = k1 * (1 - b + (b * (lengths[doc] as number)) / averageLength)
          scores[doc] = (scores[doc] as number) + (factor * idf * tf * (k1 + 1)) / (tf + norm)
        }
      }
    for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) * (boosts[i] as number)
    return scores
  }

  return {
    size: entries.length,
    search(query, limit) {
      const n = clampLimit(limit)
      const scores = score(query)
      if (!scores) return byHealth.slice(0, n).map((i) => entries[i] as T)
      const matched: number[] = []
      for (let i = 0; i < scores.length; i++) if ((scores[i] as number) > 0) matched.push(i)
      matched.sort((x, y) => (scores[y] as number) - (scores[x] as number) || preferred(entries, x, y))
      return matched.slice(0, n).map((i) => entries[i] as T)
    },
  }
}

/** A limit as the index takes it: an integer from 1 to 50; anything else is the default 10. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return defaultSearchLimit
  return Math.min(maxSearchLimit, Math.max(1, Math.floor(limit)))
}

/** The catalog words a query word matches: itself when the catalog has it, else the words it begins. */
function expand(postings: Map<string, Posting[]>, term: string): [string, number][] {
  if (postings.has(term)) return [[term, 1]]
  if (term.length < minPrefix) return []
  const found: [string, number][] = []
  for (const word of postings.keys()) if (word.startsWith(term)) found.push([word, prefixFactor])
  return found
}

function boostOf(entry: SearchEntry): number {
  const latency = entry.latencyMs
  const speed = latency == null || latency < 0 ? 0 : (speedBoost * speedHalfMs) / (speedHalfMs + latency)
  return 1 + (entry.healthy ? healthBoost : 0) + speed
}

/** Healthy first, then the faster (unknown latency last), then the earlier entry. */
function preferred(entries: readonly SearchEntry[], x: number, y: number): number {
  const a = entries[x] as SearchEntry
  const c = entries[y] as SearchEntry
  if (a.healthy !== c.healthy) return a.healthy ? -1 : 1
  const la = a.latencyMs ?? Number.POSITIVE_INFINITY
  const lc = c.latencyMs ?? Number.POSITIVE_INFINITY
  if (la !== lc) return la < lc ? -1 : 1
  return x - y
}
