import { connect } from 'node:net'

export type RawAnswer = { status: number; code?: string; headers: Map<string, string> }

/**
 * Sends one request byte for byte (the target exactly as given: fetch would resolve `..` and re-encode
 * it) and reads its answer: the status, the headers and a JSON body's `code`. A 101 is read up to its
 * headers and the socket closed. `from` picks the loopback source address, so that tests sending many
 * failed keys do not share one address's failure budget.
 */
export function rawAnswer(
  port: number,
  {
    method,
    target,
    headers = {},
    body,
    from = '127.0.0.1',
  }: { method: string; target: string; headers?: Record<string, string>; body?: string; from?: string },
): Promise<RawAnswer> {
  const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`]
  const all: Record<string, string> = { connection: 'close', ...headers }
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body))
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`)
  const request = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => socket.write(request))
    const finish = () => {
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return reject(new Error(`no answer to ${method} ${target}`))
      const [statusLine = '', ...headerLines] = buffer.subarray(0, end).toString('latin1').split('\r\n')
      const found = new Map(
        headerLines.map((l) => [
          l.slice(0, l.indexOf(':')).toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ]),
      )
      const answer: RawAnswer = { status: Number(statusLine.split(' ')[1]), headers: found }
      try {
        answer.code = JSON.parse(buffer.subarray(end + 4).toString()).code
      } catch {}
      resolve(answer)
    }
    // A handshake's answer keeps the connection open (`Connection: Upgrade`): stop at a 101's headers, at an
    // event stream's, or at the end of a body as long as Content-Length says.
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data])
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = buffer.subarray(0, end).toString('latin1')
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1]
      // An event stream that opened (an MCP session's) does not end by itself: its head is the answer.
      const stream = /\r\ncontent-type: *text\/event-stream/i.test(head)
      if (
        head.startsWith('HTTP/1.1 101') ||
        stream ||
        (length && buffer.length >= end + 4 + Number(length))
      ) {
        socket.destroy()
        finish()
      }
    })
    socket.on('close', finish)
    socket.on('error', reject)
  })
}

/** The headers of a WebSocket handshake (a client's, with a fixed key). */
export const handshake = {
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
}
