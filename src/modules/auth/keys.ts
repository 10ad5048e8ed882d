import { randomBytes } from 'node:crypto'

export type Role = 'admin' | 'read'

/** A new key: `amcp_` and 256 random bits, URL-safe so it also works as a `token` query parameter. */
export const newKey = () => `amcp_${randomBytes(32).toString('base64url')}`

/** Keys are random, so a plain SHA-256 stores them safely (no salt or slow hash needed). */
export const hashKey = (key: string) => new Bun.CryptoHasher('sha256').update(key).digest('hex')

/** How a key is shown in a list: its first characters only. */
export const prefixOf = (key: string) => `${key.slice(0, 12)}…`

/** Stored keys' ids start with this (`key_1a2b3c4d`). */
export const storedKeyPrefix = 'key_'
