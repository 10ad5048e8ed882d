/** A tool call as the model wrote it: its arguments still JSON text. */
export type RawCall = { id: string; name: string; arguments: string }
export type CallPiece = { index?: number; id?: string; function?: { name?: string; arguments?: string } }

// Tool-call indexes a stream may use: far more than any model sends, few enough to keep in a Map.
const maxCallIndex = 1024

/**
 * The tool calls of a streamed answer, put together from their pieces: a call arrives as its id and
 * name, then its arguments a fragment at a time, told apart by `index`. Some servers send each call
 * whole and leave `index` out: a piece with a new id then starts a new call.
 */
export class CallPieces {
  private readonly byIndex = new Map<number, RawCall>()
  private last: RawCall | undefined

  add(part: CallPiece) {
    const index = Number.isInteger(part.index) ? (part.index as number) : undefined
    let slot: RawCall | undefined
    if (index !== undefined && index >= 0 && index < maxCallIndex) slot = this.byIndex.get(index)
    else if (!part.id || part.id === this.last?.id) slot = this.last
    if (!slot) {
      slot = { id: '', name: '', arguments: '' }
      this.byIndex.set(
        index !== undefined && index >= 0 && index < maxCallIndex ? index : -this.byIndex.size - 1,
        slot,
      )
    }
    if (part.id) slot.id = part.id
    if (part.function?.name) slot.name = part.function.name
    if (part.function?.arguments) slot.arguments += part.function.arguments
    this.last = slot
  }

  calls(): RawCall[] {
    return [...this.byIndex.values()].map((c, i) => ({ ...c, id: c.id || `call_${i}` }))
  }
}

/**
 * Call ids as the model gave them, made unique within the chat: a repeated id would answer two calls
 * with one result (and one approval).
 */
export function uniqueIds() {
  const seen = new Set<string>()
  return (id: string) => {
    let unique = id
    for (let n = 2; seen.has(unique); n++) unique = `${id}_${n}`
    seen.add(unique)
    return unique
  }
}
