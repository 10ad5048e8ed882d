import { expect, test } from 'bun:test'
import { CallPieces, uniqueIds } from './call-pieces'

test('pieces with an index are put together by index, arguments a fragment at a time', () => {
  const pieces = new CallPieces()
  pieces.add({ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } })
  pieces.add({ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } })
  pieces.add({ index: 0, function: { arguments: ':1}' } })
  expect(pieces.calls()).toEqual([
    { id: 'a', name: 'f', arguments: '{"x":1}' },
    { id: 'b', name: 'g', arguments: '{}' },
  ])
})

test('without an index a new id starts a new call and a piece without one continues the last', () => {
  const pieces = new CallPieces()
  pieces.add({ id: 'a', function: { name: 'f', arguments: '{' } })
  pieces.add({ function: { arguments: '}' } })
  pieces.add({ id: 'b', function: { name: 'g', arguments: '{}' } })
  pieces.add({ id: 'b', function: { arguments: '' } })
  expect(pieces.calls()).toEqual([
    { id: 'a', name: 'f', arguments: '{}' },
    { id: 'b', name: 'g', arguments: '{}' },
  ])
})

test('a call without an id is named by its place; indexes out of range do not grow the map', () => {
  const pieces = new CallPieces()
  pieces.add({ index: 0, function: { name: 'f' } })
  pieces.add({ index: 1_000_000, id: 'far', function: { name: 'g' } })
  pieces.add({ index: -1, id: 'neg', function: { name: 'h' } })
  expect(pieces.calls().map((c) => c.id)).toEqual(['call_0', 'far', 'neg'])
})

test('repeated call ids are made unique within a chat', () => {
  const unique = uniqueIds()
  expect(['a', 'a', 'b', 'a', 'a_2'].map(unique)).toEqual(['a', 'a_2', 'b', 'a_3', 'a_2_2'])
})
