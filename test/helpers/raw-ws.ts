import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'

/**
 * A WebSocket client written over a plain TCP socket, for what a WebSocket object cannot do: stop
 * reading (`pause`) so that the server sees a slow consumer, then `resume`.
 */
export async function rawWebSocket(url: string) {
  const { hostname, port, pathname, search } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.write(
    `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  // biome-ignore lint/suspicious/noExplicitAny: messages are checked by the assertions that read them
  const messages: any[] = []
  let buffer = Buffer.alloc(0)
  let upgraded = false
  const opened = Promise.withResolvers<void>()
  let changed = Promise.withResolvers<void>()

  socket.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data])
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      if (!buffer.subarray(0, end).toString().startsWith('HTTP/1.1 101'))
        opened.reject(new Error('no upgrade'))
      upgraded = true
      buffer = buffer.subarray(end + 4)
      opened.resolve()
    }
    let at = 0
    for (;;) {
      if (buffer.length - at < 2) break
      const opcode = (buffer[at] as number) & 0x0f
      let length = (buffer[at + 1] as number) & 0x7f
      let header = 2
      if (length === 126) {
        if (buffer.length - at < 4) break
        length = buffer.readUInt16BE(at + 2)
        header = 4
      } else if (length === 127) {
        if (buffer.length - at < 10) break
        length = Number(buffer.readBigUInt64BE(at + 2))
        header = 10
      }
      if (buffer.length - at < header + length) break
      const payload = buffer.subarray(at + header, at + header + length)
      if (opcode === 1) messages.push(JSON.parse(payload.toString()))
      at += header + length
    }
    buffer = buffer.subarray(at)
    changed.resolve()
    changed = Promise.withResolvers<void>()
  })
  const ended = Promise.withResolvers<void>()
  socket.once('close', () => ended.resolve())
  await opened.promise

  return {
    messages,
    /** Sends one masked text frame, as clients must. */
    send(text: string) {
      const payload = Buffer.from(text)
      const mask = randomBytes(4)
      const length = payload.length
      const head =
        length < 126
          ? Buffer.from([0x81, 0x80 | length])
          : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
      for (let i = 0; i < length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number)
      socket.write(Buffer.concat([head, mask, payload]))
    },
    /** Resolves when the server has closed the connection. */
    closed: ended.promise,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    // biome-ignore lint/suspicious/noExplicitAny: as above
    async until(match: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
      const deadline = performance.now() + timeoutMs
      let scanned = 0
      for (;;) {
        for (; scanned < messages.length; scanned++) if (match(messages[scanned])) return messages[scanned]
        if (performance.now() > deadline) throw new Error('no matching message')
        await Promise.race([changed.promise, Bun.sleep(50)])
      }
    },
    close: () => socket.destroy(),
  }
}
