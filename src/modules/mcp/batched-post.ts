/**
 * Messages for the other thread, sent as one array per turn of the event loop: the first message of a
 * turn schedules the send (`setImmediate`, after the turn's I/O callbacks), the rest join it, in order.
 * A `postMessage` costs about the same whatever it carries, most of it waking the other thread, so under
 * load the calls that arrive together cross together (bench/README.md, "one message per turn"). An idle
 * message waits for nothing but the end of its turn. A batch that cannot be sent (a value that does not
 * clone) is sent again one message at a time, and only what still fails is `refused`.
 */
export function batchedPost<T>(
  post: (batch: T[]) => void,
  refused: (message: T, error: unknown) => void,
): (message: T) => void {
  let queue: T[] | undefined
  const flush = () => {
    const batch = queue as T[]
    queue = undefined
    try {
      post(batch)
    } catch {
      for (const message of batch)
        try {
          post([message])
        } catch (e) {
          refused(message, e)
        }
    }
  }
  return (message) => {
    if (queue) return void queue.push(message)
    queue = [message]
    setImmediate(flush)
  }
}

/** Throws `error` again on its own, as an uncaught error (what the process reports and logs). */
const throwLater = (error: unknown) =>
  queueMicrotask(() => {
    throw error
  })

/**
 * Handles each message of a batch that arrived. One handler that throws must not cost the others (an
 * answer left behind would leave its caller waiting forever): its error goes to `report`, by default
 * thrown again afterwards as an uncaught error of its own.
 */
export function eachOf<T>(
  batch: T[],
  handle: (message: T) => void,
  report: (error: unknown) => void = throwLater,
): void {
  for (const message of batch)
    try {
      handle(message)
    } catch (e) {
      report(e)
    }
}
