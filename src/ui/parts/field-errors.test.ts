import { describe, expect, test } from 'bun:test'
import { fieldOf, placeError } from './field-errors'

describe('field errors', () => {
  test('the field a validation error names, its first segment', () => {
    expect(fieldOf('body field "url" must be an absolute http(s) URL')).toBe('url')
    expect(fieldOf('body field "args.0" must be a string')).toBe('args')
    expect(fieldOf('A server with id "x" exists')).toBeNull()
  })

  test('an error goes beside its field, or to the top', () => {
    const fields = ['url', 'name']
    expect(placeError('body field "url" must be …', 'validation_error', fields)).toEqual({
      url: 'body field "url" must be …',
    })
    expect(placeError('body field "cwd" must be …', 'validation_error', fields)).toEqual({
      '': 'body field "cwd" must be …',
    })
    expect(placeError('The URL points at a private address', 'url_blocked', fields)).toEqual({
      url: 'The URL points at a private address',
    })
  })
})
