import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'

const everythingBin = join(
  import.meta.dir,
  '..',
  '..',
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
)

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export type Everything = Awaited<ReturnType<typeof startEverything>>

/**
 * The reference MCP server (@modelcontextprotocol/server-everything) on a free port, run by Node as its
 * users would. `lines` is everything it logged, to count the sessions it saw open and close.
 */
export async function startEverything(mode: 'streamableHttp' | 'sse') {
  const port = await freePort()
  const proc = Bun.spawn(['node', everythingBin, mode], {
    env: { ...process.env, PORT: String(port) },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const lines: string[] = []
  const ready = Promise.withResolvers<void>()
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const bytes of stream) {
      for (const line of decoder.decode(bytes, { stream: true }).split('\n')) {
        if (!line) continue
        lines.push(line)
        if (/listening on port|running on port/i.test(line)) ready.resolve()
      }
    }
  }
  void collect(proc.stdout)
  void collect(proc.stderr)
  const timer = setTimeout(
    () => ready.reject(new Error(`server-everything ${mode} did not start: ${lines.join('\n')}`)),
    15_000,
  )
  await ready.promise.finally(() => clearTimeout(timer))
  const base = `http://127.0.0.1:${port}`
  return {
    url: mode === 'sse' ? `${base}/sse` : `${base}/mcp`,
    base,
    lines,
    /** Sessions the server opened and has not seen closed. */
    openSessions() {
      const opened = lines.filter((l) => /Session initialized with ID|Client Connected/.test(l)).length
      const closed = lines.filter((l) =>
        /Received session termination request|Client Disconnected/.test(l),
      ).length
      return { opened, closed }
    },
    async stop() {
      proc.kill()
      await proc.exited
    },
  }
}

/**
 * A plain HTTP server whose answers the test switches: `ok`, `hang` (never answers), `hold` (answers
 * when the test calls `release`), or a status code.
 */
export function healthServer() {
  type Mode = 'ok' | 'hang' | 'hold' | number
  let mode: Mode = 'ok'
  let held = Promise.withResolvers<void>()
  const seen: Headers[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      seen.push(req.headers)
      if (mode === 'hang') return new Promise<Response>(() => {})
      if (mode === 'hold') await held.promise
      if (typeof mode === 'number') return new Response('nope', { status: mode })
      if (new URL(req.url).pathname !== '/health') return new Response('not here', { status: 404 })
      return Response.json({ status: 'ok', capabilities: { tools: ['hello'] } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    /** The headers of every request it received. */
    seen,
    set(next: Mode) {
      mode = next
    },
    /** Answers the requests held so far, and those to come, as `then` says. */
    release(then: Exclude<Mode, 'hold'> = 'ok') {
      mode = then
      held.resolve()
      held = Promise.withResolvers<void>()
    },
    stop: () => server.stop(true),
  }
}

/** Accepts TCP connections and never says a word: every check of it times out. */
export async function blackHole() {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    /** Connections accepted and still open: how a test knows a check is waiting on it. */
    get connections() {
      return sockets.size
    },
    /** Closes every connection without a word: the checks waiting on them fail at once. */
    drop() {
      for (const s of sockets) s.destroy()
    },
    stop() {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}
