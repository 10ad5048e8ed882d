/** A text file AutoMCP serves from memory (Swagger UI's, the dashboard's), gzipped once, on first use. */
export type StaticFile = { body: string; gzipped?: Uint8Array<ArrayBuffer> }

/** The file as it is, or gzipped when the client's Accept-Encoding takes it. */
export function fileResponse(
  file: StaticFile,
  acceptEncoding: string | null | undefined,
  headers: Record<string, string>,
): Response {
  if (!acceptEncoding?.includes('gzip')) return new Response(file.body, { headers })
  file.gzipped ??= Bun.gzipSync(file.body) as Uint8Array<ArrayBuffer>
  return new Response(file.gzipped, { headers: { ...headers, 'content-encoding': 'gzip' } })
}
