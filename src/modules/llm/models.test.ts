import { expect, test } from 'bun:test'
import { UpstreamError } from './errors'
import { modelListHandler } from './model-list'
import { createModelCatalog } from './models'
import type { Upstream } from './upstream'

/** An upstream whose model list answers from `answers` in turn (an Error is thrown). */
function upstreamOf(answers: (string | Error)[]) {
  let calls = 0
  const upstream = {
    models: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)]
      if (answer instanceof Error) throw answer
      return answer as string
    },
  } as unknown as Upstream
  return { upstream, calls: () => calls }
}

test('the list is kept for the TTL, and a stale copy is served while the upstream fails', async () => {
  let now = 0
  const { upstream, calls } = upstreamOf([
    '{"data":[1]}',
    new UpstreamError('upstream_unavailable', 'down', 503),
  ])
  const catalog = createModelCatalog(upstream, 1000, () => now)
  expect(await catalog.list()).toEqual({ text: '{"data":[1]}', cache: 'miss' })
  now = 999
  expect(await catalog.list()).toEqual({ text: '{"data":[1]}', cache: 'hit' })
  expect(calls()).toBe(1)
  now = 1000
  expect(await catalog.list()).toEqual({ text: '{"data":[1]}', cache: 'stale' })
  expect(calls()).toBe(2)
})

test('concurrent misses share one upstream request; with no copy a failure is thrown', async () => {
  const { upstream, calls } = upstreamOf(['{"data":[]}'])
  const catalog = createModelCatalog(upstream, 1000, () => 0)
  await Promise.all([catalog.list(), catalog.list(), catalog.list()])
  expect(calls()).toBe(1)
  const failing = createModelCatalog(
    upstreamOf([new UpstreamError('upstream_unauthorized', 'no', 401)]).upstream,
    1000,
  )
  await expect(failing.list()).rejects.toBeInstanceOf(UpstreamError)
})

test('each route answers the same list in its own shape, and a failure in its own words', async () => {
  const catalog = createModelCatalog(upstreamOf(['{"data":[{"id":"m"}]}']).upstream, 1000, () => 0)
  const raw = await modelListHandler(catalog, 'upstream')()
  expect(raw.headers.get('x-cache')).toBe('miss')
  expect(await raw.text()).toBe('{"data":[{"id":"m"}]}')
  const openai = await modelListHandler(catalog, 'openai')()
  expect(openai.headers.get('x-cache')).toBe('hit')
  expect(await openai.json()).toEqual({ data: [{ id: 'm' }], object: 'list' })

  const down = createModelCatalog(
    upstreamOf([new UpstreamError('upstream_unauthorized', 'No key', 401)]).upstream,
    1000,
  )
  await expect(modelListHandler(down, 'upstream')()).rejects.toMatchObject({
    status: 502,
    code: 'upstream_unauthorized',
    message: "The upstream's model list failed (HTTP 401): No key",
  })
  await expect(modelListHandler(down, 'openai')()).rejects.toMatchObject({
    message: "The upstream's model list failed: No key",
  })
})
