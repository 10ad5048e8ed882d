// A raw reader of a server-sent-events response, for tests that look at the wire: the events so far
// (the text of each), the JSON-RPC messages among them, and whether the stream has ended.

export function readEvents(response: Response) {
  const events: string[] = []
  let done = false
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        const parts = buffer.split('\n\n')
        buffer = parts.pop() ?? ''
        events.push(...parts)
      }
    } catch {
      // Aborted by the test.
    }
    done = true
  })()
  const messages = () =>
    events
      .filter((e) => e.startsWith('event: message\n'))
      .map((e) => JSON.parse(e.split('\ndata: ')[1] ?? ''))
  return { events, messages, ended: () => done }
}
