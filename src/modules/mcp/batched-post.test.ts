import { expect, test } from 'bun:test'
import { batchedPost, eachOf } from './batched-post'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const keep = () => {}

test('the messages of one turn are sent together, in order, once the turn ends', async () => {
  const sent: number[][] = []
  const post = batchedPost<number>((batch) => sent.push(batch), keep)
  post(1)
  post(2)
  await Promise.resolve()
  post(3) // a microtask of the same turn joins it
  expect(sent).toEqual([])
  await nextTurn()
  expect(sent).toEqual([[1, 2, 3]])
})

test('a message of a later turn starts a batch of its own', async () => {
  const sent: string[][] = []
  const post = batchedPost<string>((batch) => sent.push(batch), keep)
  post('a')
  await nextTurn()
  post('b')
  post('c')
  await nextTurn()
  expect(sent).toEqual([['a'], ['b', 'c']])
})

test('a message that does not clone is refused alone; the rest of its batch is sent', async () => {
  const sent: unknown[][] = []
  const refused: unknown[] = []
  // What postMessage does first: the structured clone, which refuses a function.
  const post = batchedPost<unknown>(
    (batch) => sent.push(structuredClone(batch)),
    (message, e) => refused.push([message, (e as Error).name]),
  )
  const uncloneable = { seq: 2, result: () => {} }
  post({ seq: 1 })
  post(uncloneable)
  post({ seq: 3 })
  await nextTurn()
  expect(sent).toEqual([[{ seq: 1 }], [{ seq: 3 }]])
  expect(refused).toEqual([[uncloneable, 'DataCloneError']])
})

test('a handler that throws does not cost the other messages of the batch; its error is reported', () => {
  const handled: number[] = []
  const reported: string[] = []
  eachOf(
    [1, 2, 3],
    (n) => {
      if (n === 2) throw new Error('two')
      handled.push(n)
    },
    (e) => reported.push((e as Error).message),
  )
  expect(handled).toEqual([1, 3])
  expect(reported).toEqual(['two'])
})
