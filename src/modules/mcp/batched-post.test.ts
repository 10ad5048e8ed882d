import { expect, test } from 'bun:test'
import { batchedPost } from './batched-post'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

test('the messages of one turn are sent together, in order, once the turn ends', async () => {
  const sent: number[][] = []
  const post = batchedPost<number>((batch) => sent.push(batch))
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
  const post = batchedPost<string>((batch) => sent.push(batch))
  post('a')
  await nextTurn()
  post('b')
  post('c')
  await nextTurn()
  expect(sent).toEqual([['a'], ['b', 'c']])
})
