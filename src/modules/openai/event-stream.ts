import { Aborted } from '../llm/errors'

const keepAliveEvent = new TextEncoder().encode(': keep-alive\n\n')

/** A byte stream the chat writes events into: it pauses the chat while the client reads slowly. */
export function eventStream(clientGone: AbortSignal, keepAliveMs: number) {
  const controller = new AbortController()
  let sink!: ReadableStreamDefaultController<Uint8Array>
  let wake: (() => void) | undefined
  let started = false
  let keepAlive: Timer | undefined
  const first = Promise.withResolvers<void>()
  const end = (reason: Aborted) => {
    clearTimeout(keepAlive)
    controller.abort(reason)
    wake?.()
  }
  clientGone.addEventListener('abort', () => end(new Aborted('client went away')), { once: true })
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        sink = c
      },
      pull() {
        wake?.()
        wake = undefined
      },
      cancel: () => end(new Aborted('client went away')),
    },
    { highWaterMark: 64 },
  )
  // While tools run or the model thinks, nothing may be written for a long while: a comment line now and
  // then keeps proxies (and Bun's own idle timeout) from taking the quiet connection for a dead one.
  const quiet = () => {
    clearTimeout(keepAlive)
    keepAlive = setTimeout(() => {
      if (controller.signal.aborted) return
      enqueue([keepAliveEvent])
      quiet()
    }, keepAliveMs)
  }
  const enqueue = (events: Uint8Array[]) => {
    for (const e of events) sink.enqueue(e)
    started = true
    first.resolve()
  }
  quiet()
  return {
    readable,
    signal: controller.signal,
    firstWrite: first.promise,
    get started() {
      return started
    },
    write(events: Uint8Array[]): Promise<void> | undefined {
      if (events.length === 0 || controller.signal.aborted) return
      enqueue(events)
      quiet()
      if ((sink.desiredSize ?? 1) > 0) return
      return new Promise<void>((resolve) => {
        wake = resolve
      })
    },
    close() {
      clearTimeout(keepAlive)
      if (!controller.signal.aborted) sink.close()
    },
  }
}
