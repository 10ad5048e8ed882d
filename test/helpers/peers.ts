import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const modules = join(import.meta.dir, '..', '..', 'node_modules')
/** server-everything's entry point, for Node to run (`node <it> stdio|sse|streamableHttp`). */
export const everythingBin = join(modules, '@modelcontextprotocol', 'server-everything', 'dist', 'index.js')
/** A program of node_modules/.bin, by its path. */
export const bin = (name: string) => join(modules, '.bin', name)

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export type Peer = Awaited<ReturnType<typeof spawnPeer>>

/**
 * A third-party MCP server started as its users would start it, on `port`: ready once a line it logs
 * matches `ready`. `lines` is everything it logged.
 */
export async function spawnPeer(
  name: string,
  cmd: string[],
  { port, ready, env = {} }: { port: number; ready: RegExp; env?: Record<string, string> },
) {
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, PORT: String(port), ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const lines: string[] = []
  const started = Promise.withResolvers<void>()
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const bytes of stream) {
      for (const line of decoder.decode(bytes, { stream: true }).split('\n')) {
        if (!line) continue
        lines.push(line)
        if (ready.test(line)) started.resolve()
      }
    }
  }
  void collect(proc.stdout)
  void collect(proc.stderr)
  void proc.exited.then((code) => started.reject(new Error(`${name} exited (${code}): ${lines.join('\n')}`)))
  // Node starting a gateway and its dependencies takes seconds on a loaded machine.
  const timer = setTimeout(
    () => started.reject(new Error(`${name} did not start: ${lines.join('\n')}`)),
    30_000,
  )
  try {
    await started.promise
  } catch (e) {
    // One that never said it was ready may still run: it must not outlive the test.
    proc.kill()
    throw e
  } finally {
    clearTimeout(timer)
  }
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    lines,
    async stop() {
      proc.kill()
      await proc.exited
    },
  }
}

export type Everything = Awaited<ReturnType<typeof startEverything>>

/**
 * The reference MCP server (@modelcontextprotocol/server-everything) on a free port, run by Node as its
 * users would (on `port` when given: a restart takes the same). `lines` is everything it logged, to
 * count the sessions it saw open and close.
 */
export async function startEverything(mode: 'streamableHttp' | 'sse', port?: number) {
  const peer = await spawnPeer(`server-everything ${mode}`, ['node', everythingBin, mode], {
    port: port ?? (await freePort()),
    ready: /listening on port|running on port/i,
  })
  const { lines } = peer
  return {
    ...peer,
    url: mode === 'sse' ? `${peer.base}/sse` : `${peer.base}/mcp`,
    /** Sessions the server opened and has not seen closed. */
    openSessions() {
      const opened = lines.filter((l) => /Session initialized with ID|Client Connected/.test(l)).length
      const closed = lines.filter((l) =>
        /Received session termination request|Client Disconnected/.test(l),
      ).length
      return { opened, closed }
    },
  }
}

/** Stdio MCP servers for the gateways to run, as shell commands (supergateway's `--stdio`). */
export const stdioServers = {
  memory: bin('mcp-server-memory'),
  everything: `node ${everythingBin} stdio`,
}

/**
 * supergateway in front of a stdio server: SSE (`/sse`, `/message`) or stateful streamable HTTP
 * (`/mcp`), on `port` (a free one unless given: a restart takes the same).
 */
export async function startSupergateway(output: 'sse' | 'streamableHttp', stdio: string, port?: number) {
  const listen = port ?? (await freePort())
  const stateful = output === 'streamableHttp' ? ['--stateful'] : []
  const peer = await spawnPeer(
    `supergateway ${output}`,
    [
      bin('supergateway'),
      '--stdio',
      stdio,
      '--outputTransport',
      output,
      '--port',
      String(listen),
      ...stateful,
    ],
    { port: listen, ready: /Listening on port/, env: scratchMemory },
  )
  return { ...peer, url: output === 'sse' ? `${peer.base}/sse` : `${peer.base}/mcp` }
}

/** mcp-proxy in front of a stdio server: streamable HTTP at `/mcp`, SSE at `/sse`. */
export async function startMcpProxy(stdio: string[]) {
  const port = await freePort()
  const peer = await spawnPeer(
    'mcp-proxy',
    [bin('mcp-proxy'), '--port', String(port), '--host', '127.0.0.1', '--', ...stdio],
    { port, ready: /starting server on port/, env: scratchMemory },
  )
  return { ...peer, url: `${peer.base}/mcp`, sseUrl: `${peer.base}/sse` }
}

/** A FastMCP (npm `fastmcp`) server, test/fixtures/fastmcp-server.ts, on streamable HTTP at `/mcp`. */
export async function startFastmcp() {
  const fixture = join(import.meta.dir, '..', 'fixtures', 'fastmcp-server.ts')
  const peer = await spawnPeer('fastmcp', [process.execPath, fixture], {
    port: await freePort(),
    ready: /listening on port/,
  })
  return { ...peer, url: `${peer.base}/mcp` }
}

// The memory server keeps its graph next to its own code unless told otherwise: never in node_modules.
const scratchMemory = { MEMORY_FILE_PATH: join(tmpdir(), `automcp-test-memory-${process.pid}.jsonl`) }

/**
 * A plain HTTP server whose answers the test switches: `ok`, `hang` (never answers), `hold` (answers
 * when the test calls `release`), or a status code (with the headers given with it).
 */
export function healthServer() {
  type Mode = 'ok' | 'hang' | 'hold' | number
  let mode: Mode = 'ok'
  let statusHeaders: Record<string, string> = {}
  let held = Promise.withResolvers<void>()
  const seen: Headers[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      seen.push(req.headers)
      if (mode === 'hang') return new Promise<Response>(() => {})
      if (mode === 'hold') await held.promise
      if (typeof mode === 'number') return new Response('nope', { status: mode, headers: statusHeaders })
      if (new URL(req.url).pathname !== '/health') return new Response('not here', { status: 404 })
      return Response.json({ status: 'ok', capabilities: { tools: ['hello'] } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    /** The headers of every request it received. */
    seen,
    set(next: Mode, headers: Record<string, string> = {}) {
      mode = next
      statusHeaders = headers
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

/**
 * The conformance suite's own reference server (test/conformance/reference-server.ts, vendored) under Bun,
 * on streamable HTTP at `/mcp`: it has every fixture the conformance server scenarios ask for. It takes a
 * free port itself (PORT=0) and says which, so no other process can take the port between a check and use.
 */
export async function startReferenceServer() {
  const file = join(import.meta.dir, '..', 'conformance', 'reference-server.ts')
  const peer = await spawnPeer('conformance reference server', [process.execPath, file], {
    port: 0,
    ready: /^listening on port \d+$/,
  })
  const announced = peer.lines.find((l) => /^listening on port \d+$/.test(l)) as string
  const port = Number(announced.slice('listening on port '.length))
  const base = `http://127.0.0.1:${port}`
  return { ...peer, port, base, url: `${base}/mcp` }
}
