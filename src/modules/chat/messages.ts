import { TypeCompiler } from '@sinclair/typebox/compiler'
import { nestsDeeperThan } from '../../shared/nesting'
import { describeFieldError, type FieldError } from '../../shared/validation'
import { ChatModel } from './model'

export type ChatId = string | number
export type ChatError = { code: string; message: string; status?: number; retry_after_s?: number }
export type Refusal = { id: ChatId | null; error: ChatError }

const maxMessageDepth = 256
const compiled = {
  chat: TypeCompiler.Compile(ChatModel.chat),
  cancel: TypeCompiler.Compile(ChatModel.cancel),
  verdict: TypeCompiler.Compile(ChatModel.verdict),
}

/** A message's `id` when it has a usable one, to say which chat an error is about. */
export const idOf = (message: object): ChatId | null => {
  const id = (message as { id?: unknown }).id
  return typeof id === 'string' || typeof id === 'number' ? id : null
}

const isBinary = (message: object) => message instanceof ArrayBuffer || ArrayBuffer.isView(message)

const tooLarge = (id: ChatId | null, maxBytes: number): Refusal => ({
  id,
  error: { code: 'message_too_large', message: `A message may be at most ${maxBytes} bytes` },
})

/**
 * Why a client message (JSON-parsed already when it was JSON, else the raw text) is refused before its
 * type is looked at; undefined when it may be read.
 */
export function envelopeRefusal(message: unknown, maxBytes: number): Refusal | undefined {
  if (typeof message === 'string' && Buffer.byteLength(message) > maxBytes) return tooLarge(null, maxBytes)
  if (typeof message !== 'object' || message === null || Array.isArray(message) || isBinary(message))
    return { id: null, error: { code: 'invalid_json', message: 'Each message must be a JSON object' } }
  // Measured before it is serialised: past some 10,000 levels JSON.stringify takes over half a second
  // of this thread per frame, and past 40,000 it overflows the stack (Elysia drops what a handler
  // throws, so such a message went unanswered). No chat needs more than a few dozen.
  if (nestsDeeperThan(message, maxMessageDepth))
    return {
      id: idOf(message),
      error: {
        code: 'invalid_request',
        message: `A message may nest at most ${maxMessageDepth} levels deep`,
      },
    }
  // Parsed already, so its size is measured on its JSON form (whitespace aside, the same), in bytes.
  if (Buffer.byteLength(JSON.stringify(message)) > maxBytes) return tooLarge(idOf(message), maxBytes)
}

/** The first field of `message` that breaks the schema of its kind, as an `invalid_request` error. */
export function schemaError(
  kind: keyof typeof compiled,
  message: Record<string, unknown>,
): ChatError | undefined {
  const check = compiled[kind]
  if (check.Check(message)) return
  const first = check.Errors(message).First() as FieldError | undefined
  const name = kind === 'verdict' ? String(message.type) : kind
  return { code: 'invalid_request', message: describeFieldError(name, first) }
}
