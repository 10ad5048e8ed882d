import { connect } from 'node:net'

export type RawResponse = { status: number; headers: Map<string, string>; body: Buffer }

/**
 * One HTTP/1.1 request written byte for byte over a fresh TCP connection: the request target goes out
 * exactly as given (fetch would resolve `..` and re-encode it), and the body may be sent chunked.
 */
export function rawRequest(
  port: number,
  {
    method,
    target,
    headers = {},
    body,
    chunked = false,
  }: {
    method: string
    target: string
    headers?: Record<string, string>
    body?: Uint8Array
    chunked?: boolean
  },
): Promise<RawResponse> {
  const extra = body
    ? { [chunked ? 'transfer-encoding' : 'content-length']: chunked ? 'chunked' : String(body.length) }
    : {}
  const head = requestHead(port, method, target, { connection: 'close', ...headers, ...extra })
  const payload = !body
    ? Buffer.alloc(0)
    : chunked
      ? Buffer.concat([
          ...(body.length ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : []),
          Buffer.from('0\r\n\r\n'),
        ])
      : Buffer.from(body)
  return new Promise((resolve, reject) => {
    const received: Buffer[] = []
    // Written, not ended: Bun drops a request whose client half-closes before the answer.
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.concat([head, payload])))
    let stream: RawResponse | undefined
    // An event stream that opened (an MCP session's) does not end by itself: its head is the answer.
    socket.on('data', (data: Buffer) => {
      received.push(data)
      const all = Buffer.concat(received)
      const end = all.indexOf('\r\n\r\n')
      if (
        stream ||
        end === -1 ||
        !/\r\ncontent-type: *text\/event-stream/i.test(all.subarray(0, end).toString('latin1'))
      )
        return
      stream = parseResponse(Buffer.concat([all.subarray(0, end + 4), Buffer.from('0\r\n\r\n')]))
      socket.destroy()
    })
    socket.on('error', reject)
    socket.on('close', () => {
      try {
        resolve(stream ?? parseResponse(Buffer.concat(received)))
      } catch (e) {
        reject(e)
      }
    })
  })
}

/**
 * A WebSocket handshake over a fresh TCP connection: resolves with 101 as soon as the server switches
 * protocols (and drops the connection), or with the refusal once its body has arrived.
 */
export function rawHandshake(
  port: number,
  target: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const head = requestHead(port, 'GET', target, headers)
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0)
    const socket = connect(port, '127.0.0.1', () => socket.write(head))
    const settle = (final: boolean) => {
      const end = received.indexOf('\r\n\r\n')
      if (end === -1)
        return final && reject(new Error(`no complete response: ${received.toString('latin1')}`))
      const response = parseResponse(received)
      const length = Number(response.headers.get('content-length') ?? 0)
      if (!final && response.status !== 101 && received.length < end + 4 + length) return
      socket.destroy()
      resolve(response)
    }
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      settle(false)
    })
    socket.on('error', reject)
    socket.on('close', () => settle(true))
  })
}

function requestHead(port: number, method: string, target: string, headers: Record<string, string>) {
  const lines = [`${method} ${target} HTTP/1.1`]
  if (!('host' in headers)) lines.push(`host: 127.0.0.1:${port}`)
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
}

function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`no complete response: ${JSON.stringify(raw.toString('latin1'))}`)
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers = new Map<string, string>()
  for (const line of headerLines) {
    const at = line.indexOf(':')
    headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim())
  }
  let body = raw.subarray(end + 4)
  if (headers.get('transfer-encoding')?.includes('chunked')) body = dechunk(body)
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')))
  return { status, headers, body }
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd === -1) break
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (!size) break
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts)
}
