import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { Child } from './child'

/**
 * The SDK's stdio framing (newline-delimited JSON-RPC, its ReadBuffer and serializeMessage) over a child
 * the supervisor started. The SDK's own StdioClientTransport spawns its child itself, without a process
 * group of its own, so it could not end the grandchildren `npx` leaves; this one only talks.
 * Closing it stops the child; the child's exit closes it.
 */
export class ChildTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  setProtocolVersion?: (version: string) => void
  private readonly buffer = new ReadBuffer()
  private closed = false

  constructor(private readonly child: Child) {
    void child.exited.then(() => this.finish())
  }

  /** Bytes the child wrote to stdout: complete lines become messages. */
  receive(chunk: Uint8Array) {
    try {
      this.buffer.append(Buffer.from(chunk))
    } catch (e) {
      this.onerror?.(e as Error) // over 10 MB without a line break
      return
    }
    for (;;) {
      try {
        const message = this.buffer.readMessage()
        if (message === null) return
        this.onmessage?.(message)
      } catch (e) {
        // A line that is not JSON-RPC (a stray print): reported, and the next line is read.
        this.onerror?.(e as Error)
      }
    }
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('the process has already exited')
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the process has exited')
    this.child.stdin.write(serializeMessage(message))
    await this.child.stdin.flush()
  }

  async close(): Promise<void> {
    await this.child.stop()
    this.finish()
  }

  private finish() {
    if (this.closed) return
    this.closed = true
    this.buffer.clear()
    this.onclose?.()
  }
}
