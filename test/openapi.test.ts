import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { json, startApp, type TestApp } from './helpers/app'

let api: TestApp
beforeAll(async () => {
  api = await startApp()
})
afterAll(() => api.stop())

const hidden = new Set(['/openapi/json', '/swagger', '/swagger/:asset'])
const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')

describe('/openapi/json', () => {
  test('documents every route the app serves, with responses, and bodies where there are bodies', async () => {
    const doc = await api.getJson('/openapi/json')
    const served = api.app.routes
      .filter((r) => !hidden.has(r.path))
      .map((r) => ({ path: r.path, method: r.method === 'WS' ? 'GET' : r.method }))
    expect(served.length).toBeGreaterThanOrEqual(11)
    for (const route of served) {
      const op = doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()]
      expect(op, `${route.method} ${route.path}`).toBeDefined()
      expect(Object.keys(op.responses ?? {}).length, `${route.method} ${route.path}`).toBeGreaterThan(0)
      expect(op.summary, `${route.method} ${route.path}`).toBeString()
    }
    expect(doc.paths['/events'].get.description).toContain('snapshot')
    expect(doc.paths['/events'].get.responses['101']).toBeDefined()
    expect(doc.paths['/chat'].get.description).toContain('{ type: "chunk", id, data: <OpenAI chunk> }')
    for (const verb of ['get', 'post'])
      expect(Object.keys(doc.paths['/chat/models'][verb].responses).sort()).toEqual([
        '200',
        '401',
        '403',
        '429',
        '502',
      ])
    // Every operation but the public ones says what the API-key guard may answer.
    // (/events and /chat are described by hand, with their protocol.)
    const open = ['/health', '/oauth/callback', '/oauth/client-metadata.json', '/', '/assets/:file']
    for (const path of open)
      expect(Object.values(doc.paths[toOpenApiPath(path)])[0]).toMatchObject({ security: [] })
    for (const route of served.filter((r) => ![...open, '/events', '/chat'].includes(r.path))) {
      const op = doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()]
      expect(Object.keys(op.responses), `${route.method} ${route.path}`).toEqual(
        expect.arrayContaining(['401', '403', '429']),
      )
    }
    expect(doc.paths['/health'].get.security).toEqual([])
    expect(doc.security).toEqual([{ bearer: [] }])
    const register = doc.paths['/servers/register'].post
    expect(register.requestBody.content['application/json'].schema.properties.url.pattern).toBeString()
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['200', '201', '422']))
    expect(doc.paths['/servers'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'status',
      'tag',
    ])
    expect(
      doc.paths['/servers/{id}'].get.responses['404'].content['application/json'].schema.required,
    ).toEqual(['detail', 'code'])
    // The direct tool routes: every error they answer, and the call's body.
    const listTools = doc.paths['/servers/{id}/tools'].get
    const callTool = doc.paths['/servers/{id}/tools/{name}/call'].post
    for (const op of [listTools, callTool]) {
      expect(op.tags).toEqual(['tools'])
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '502', '504']))
    }
    expect(callTool.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'name'])
    expect(callTool.requestBody.content['application/json'].schema.properties.arguments.type).toEqual([
      'object',
      'null',
    ])
    expect(Object.keys(callTool.responses['200'].content['application/json'].schema.properties)).toEqual([
      'ok',
      'is_error',
      'content',
      'structured_content',
      'latency_ms',
    ])
  })

  test('the response schema of a server never lists header values', async () => {
    const doc = await api.getJson('/openapi/json')
    const info = doc.paths['/servers/{id}'].get.responses['200'].content['application/json'].schema
    expect(Object.keys(info.properties)).toContain('header_names')
    expect(Object.keys(info.properties)).not.toContain('headers')
  })
})

describe('/swagger', () => {
  test('is served by this process and references no other host', async () => {
    const res = await api.request('/swagger')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
    expect(refs.length).toBeGreaterThanOrEqual(2)
    for (const ref of refs) expect(ref.startsWith('/'), ref).toBe(true)
    expect(html).not.toMatch(/https?:\/\//)
    // Swagger UI would otherwise send the document to validator.swagger.io.
    expect(html).toContain('validatorUrl: null')
    expect(html).toContain("url: '/openapi/json'")

    for (const ref of refs) {
      const asset = await api.request(ref)
      expect(asset.status, ref).toBe(200)
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(1000)
    }
  })

  test('assets are gzipped for clients that accept it', async () => {
    const plain = await api.request('/swagger/swagger-ui-bundle.js', {
      headers: { 'accept-encoding': 'identity' },
    })
    const raw = await fetch(`${api.base}/swagger/swagger-ui-bundle.js`, {
      headers: { 'accept-encoding': 'gzip' },
      decompress: false,
    } as RequestInit)
    expect(raw.headers.get('content-encoding')).toBe('gzip')
    const gz = new Uint8Array(await raw.arrayBuffer())
    const text = await plain.text()
    expect(gz.byteLength).toBeLessThan(text.length / 2)
    expect(new TextDecoder().decode(Bun.gunzipSync(gz))).toBe(text)
  })

  test('an unknown asset is a JSON 404, names every object has included', async () => {
    for (const name of ['nope.js', 'constructor', '__proto__', 'toString']) {
      const res = await api.request(`/swagger/${name}`, { headers: { 'accept-encoding': 'gzip' } })
      expect({ name, status: res.status }).toEqual({ name, status: 404 })
      expect((await json(res)).code).toBe('not_found')
    }
  })
})
