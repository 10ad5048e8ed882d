// How a setting is declared and read: each module declares its own settings with these (its
// `config.ts`), and src/config.ts combines them into the one table the parser and `--help` read.

import { DAY, HOUR, MINUTE, SECOND } from './time'

export class ConfigError extends Error {}
/** An argument AutoMCP does not know: answered with the usage, not just the one line. */
export class UsageError extends ConfigError {}

export type Setting<T> = {
  flag?: string
  env?: string
  /** A second environment variable read when `env` is unset. */
  alias?: string
  default: T
  /** How the default is written where people read it, when not as it is stored. */
  shown?: string
  doc: string
  parse: (raw: string, name: string) => T
}

/** The values a table of settings reads to: what `Config` is for all of them, a module's for its own. */
export type SettingValues<S extends Record<string, Setting<unknown>>> = {
  readonly [K in keyof S]: ReturnType<S[K]['parse']> | S[K]['default']
}

export const setting = <T>(s: Setting<T>) => s

export const integer =
  (min: number, max: number) =>
  (raw: string, name: string): number => {
    const n = Number(raw)
    if (!/^\s*-?\d+\s*$/.test(raw) || n < min || n > max)
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
    return n
  }

export const oneOf =
  <const T extends string>(...values: T[]) =>
  (raw: string, name: string): T => {
    const v = raw.trim().toLowerCase() as T
    if (!values.includes(v))
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`)
    return v
  }

export const units = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY } as const
/** `500ms`, `90s`, `30m`, `48h`, `90d` → milliseconds. */
export const duration = (raw: string, name: string): number => {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(raw)
  if (!m || Number(m[1]) === 0)
    throw new ConfigError(`${name} must be a duration such as 500ms, 90s, 30m, 48h or 90d, got "${raw}"`)
  return Number(m[1]) * units[m[2] as keyof typeof units]
}

export const boolean = (raw: string, name: string): boolean => {
  const v = raw.trim().toLowerCase()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

/** A comma-separated list, each item checked by `item` (which throws an Error saying what is wrong). */
export const list =
  (item: (raw: string) => string) =>
  (raw: string, name: string): readonly string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        try {
          return item(s)
        } catch (e) {
          throw new ConfigError(`${name}: ${(e as Error).message}`)
        }
      })

export const text = (raw: string) => raw
// Long enough not to be guessed: AUTOMCP_API_KEY is tried online, AUTOMCP_SECRET_KEY offline.
export const secret = (raw: string, name: string) => {
  if (raw.length < 16)
    throw new ConfigError(`${name} must be at least 16 characters (e.g. openssl rand -base64 32)`)
  return raw as string | undefined
}

export const httpUrl = (raw: string, name: string): string => {
  const url = URL.parse(raw)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`)
  return raw.replace(/\/+$/, '')
}
