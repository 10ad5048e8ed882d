import { expect, test } from 'bun:test'
import { createRouteMatcher } from './route-match'

const match = createRouteMatcher([
  { method: 'GET', path: '/servers' },
  { method: 'POST', path: '/servers/register' },
  { method: 'GET', path: '/servers/:id' },
  { method: 'GET', path: '/servers/:id/history' },
  { method: 'GET', path: '/files/*' },
  { method: 'WS', path: '/chat' },
  { method: 'GET', path: '/events' },
  { method: 'WS', path: '/events' },
])
const pattern = (method: string, path: string, upgrade = false) => match(method, path, upgrade)?.pattern

test('a literal segment beats a parameter, a parameter beats a wildcard', () => {
  expect(pattern('GET', '/servers/register')).toBe('/servers/:id')
  expect(pattern('POST', '/servers/register')).toBe('/servers/register')
  expect(pattern('GET', '/servers/a/history')).toBe('/servers/:id/history')
  expect(pattern('GET', '/files/a/b')).toBe('/files/*')
})

test('one trailing slash is the same route; an empty segment, case and encoded letters are not', () => {
  expect(pattern('GET', '/servers/')).toBe('/servers')
  expect(pattern('GET', '/servers/a/')).toBe('/servers/:id')
  expect(pattern('GET', '/servers//')).toBeUndefined()
  expect(pattern('GET', '//servers')).toBeUndefined()
  expect(pattern('GET', '/servers//history')).toBeUndefined()
  expect(pattern('GET', '/Servers')).toBeUndefined()
  expect(pattern('GET', '/%73ervers')).toBeUndefined()
  expect(pattern('GET', '/servers/%61')).toBe('/servers/:id')
})

test('an upgrade goes to the WS route, falling back to GET; HEAD falls back to GET', () => {
  expect(match('GET', '/chat', true)).toEqual({ method: 'WS', pattern: '/chat' })
  expect(match('GET', '/chat', false)).toBeUndefined()
  expect(match('GET', '/events', true)?.method).toBe('WS')
  expect(match('GET', '/events', false)?.method).toBe('GET')
  expect(match('HEAD', '/servers/a', false)).toEqual({ method: 'GET', pattern: '/servers/:id' })
  expect(match('DELETE', '/servers/a', false)).toBeUndefined()
})
