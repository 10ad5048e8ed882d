/** A WebSocket client for tests: every message parsed and kept, with a wait for the next one that matches. */
export async function connectWs(url: string) {
  const ws = new WebSocket(url)
  // biome-ignore lint/suspicious/noExplicitAny: messages are checked by the assertions that read them
  const messages: any[] = []
  const waiters: { match: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = []
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data))
    messages.push(message)
    for (const w of [...waiters]) {
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(message)
      }
    }
  }
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve()
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`))
  })
  return {
    ws,
    messages,
    // biome-ignore lint/suspicious/noExplicitAny: as above
    next(match: (m: any) => boolean, timeoutMs = 3_000): Promise<any> {
      const seen = messages.find(match)
      if (seen) {
        messages.splice(messages.indexOf(seen), 1)
        return Promise.resolve(seen)
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching message')), timeoutMs)
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer)
            messages.splice(messages.indexOf(m), 1)
            resolve(m)
          },
        })
      })
    },
    send: (data: unknown) => ws.send(typeof data === 'string' ? data : JSON.stringify(data)),
    close: () => ws.close(),
  }
}
