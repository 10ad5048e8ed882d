import { expect, test } from 'bun:test'
import { addUsage, sumNumbers } from './usage'

test('the usage of every step is summed, details and cost included', () => {
  const first = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: 0.5 }
  const total = addUsage(null, first)
  expect(total).toEqual(first)
  expect(total).not.toBe(first) // a copy: the step's own object is not summed into
  const second = {
    prompt_tokens: 20,
    completion_tokens: 3,
    total_tokens: 23,
    cost: 0.25,
    prompt_tokens_details: { cached_tokens: 4 },
  }
  expect(addUsage(total, second)).toEqual({
    prompt_tokens: 30,
    completion_tokens: 5,
    total_tokens: 35,
    cost: 0.75,
    prompt_tokens_details: { cached_tokens: 4 },
  })
})

test('a step without usage leaves the total as it was', () => {
  const total = { total_tokens: 1 }
  expect(addUsage(total, null)).toBe(total)
  expect(addUsage(total, undefined)).toBe(total)
  expect(addUsage(null, null)).toBeNull()
})

test('what is not a number on both sides takes the later value, or keeps the earlier one', () => {
  expect(sumNumbers({ a: 1, b: 'x' }, { a: 2, b: 'y', c: 3 })).toEqual({ a: 3, b: 'y', c: 3 })
  expect(sumNumbers({ a: 1 }, { a: null })).toEqual({ a: 1 })
  expect(sumNumbers([1], [2])).toEqual([2])
})
