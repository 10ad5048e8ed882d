/**
 * Messages for the other thread, sent as one array per turn of the event loop: the first message of a
 * turn schedules the send (`setImmediate`, after the turn's I/O callbacks), the rest join it, in order.
 * A `postMessage` costs about the same whatever it carries, most of it waking the other thread, so under
 * load the calls that arrive together cross together (bench/README.md, "one message per turn"). An idle
 * message waits for nothing but the end of its turn.
 */
export function batchedPost<T>(post: (batch: T[]) => void): (message: T) => void {
  let queue: T[] | undefined
  const flush = () => {
    const batch = queue as T[]
    queue = undefined
    post(batch)
  }
  return (message) => {
    if (queue) return void queue.push(message)
    queue = [message]
    setImmediate(flush)
  }
}
