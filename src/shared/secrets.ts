import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'

/** Seals what must not be stored in plain text (the headers sent to MCP servers) with AES-256-GCM. */
export type SecretBox = ReturnType<typeof createSecretBox>

const version = 'v1:'

export function createSecretBox(key: Uint8Array) {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes')
  return {
    /** `v1:` + base64(iv ‖ ciphertext ‖ tag): a fresh 96-bit IV for every value. */
    seal(plain: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return version + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')
    },
    /** Throws when the value was sealed with another key or altered. */
    open(sealed: string): string {
      if (!sealed.startsWith(version)) throw new Error('not a sealed value')
      const raw = Buffer.from(sealed.slice(version.length), 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(raw.length - 16))
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      )
    },
    isSealed: (value: string) => value.startsWith(version),
  }
}

/**
 * The key: from AUTOMCP_SECRET_KEY when set (any long random string, e.g. `openssl rand -base64 32`,
 * stretched to 256 bits with HKDF), else from `<database>.key`, created on first use with mode 0600. A
 * database in memory gets a key that lives as long as the process, like the data it protects.
 */
export function loadSecretKey(
  configured: string | undefined,
  dbPath: string,
): { key: Uint8Array; source: string } {
  if (configured) return { key: derive(configured), source: 'AUTOMCP_SECRET_KEY' }
  if (dbPath === ':memory:') return { key: randomBytes(32), source: 'memory' }
  const file = `${dbPath}.key`
  if (!existsSync(file)) {
    // `wx`: never overwrite a key another process has just written.
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  chmodSync(file, 0o600)
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`)
  return { key, source: file }
}

const derive = (secret: string) =>
  new Uint8Array(hkdfSync('sha256', secret, 'automcp', 'automcp secret key v1', 32))
