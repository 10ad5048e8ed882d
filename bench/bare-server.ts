export {}

// The baseline: a bare Bun.serve answering the bytes given in a file, with the same content type.
const [bodyFile, port] = process.argv.slice(2)
const body = await Bun.file(bodyFile as string).bytes()
Bun.serve({
  port: Number(port),
  hostname: '127.0.0.1',
  fetch: () => new Response(body, { headers: { 'content-type': 'application/json' } }),
})
