import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'

/** Seals what must not be stored in plain text (the headers sent to MCP servers) with AES-256-GCM. */
export type SecretBox = ReturnType<typeof createSecretBox>

const version = 'v1:'

export function createSecretBox(key: Uint8Array) {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes')
  return {
    /**
     * `v1:` + base64(iv ‖ ciphertext ‖ tag), a fresh 96-bit IV each time. `context` (the server's id) is
     * authenticated with it, so a sealed value copied into another row does not open.
     */
    seal(plain: string, context: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return version + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')
    },
    /** Throws when the value was sealed with another key or context, or altered. */
    open(sealed: string, context: string): string {
      if (!sealed.startsWith(version)) throw new Error('not a sealed value')
      const raw = Buffer.from(sealed.slice(version.length), 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(context))
      decipher.setAuthTag(raw.subarray(raw.length - 16))
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      )
    },
    isSealed: (value: string) => value.startsWith(version),
  }
}

export type LoadedKey = { key: Uint8Array; source: string; warning?: string }

/**
 * The key: from AUTOMCP_SECRET_KEY when set (a long random string, stretched to 256 bits with HKDF),
 * else from `<database>.key`, created on first use with mode 0600. A database in memory gets a key
 * that lives as long as the process, like the data it protects. `mayCreate` is false when values are
 * already sealed: a missing key file is then an error to report, not a reason to make a new key.
 */
export function loadSecretKey(configured: string | undefined, dbPath: string, mayCreate = true): LoadedKey {
  if (configured) return { key: derive(configured), source: 'AUTOMCP_SECRET_KEY' }
  if (dbPath === ':memory:') return { key: randomBytes(32), source: 'memory' }
  const file = `${dbPath}.key`
  let stat = statOrNull(file)
  if (!stat) {
    if (!mayCreate) throw new Error(`${file} is missing, and stored headers were sealed with it`)
    createKeyFile(file)
    stat = statSync(file)
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`)
  const loose = (stat.mode & 0o077) !== 0
  return {
    key,
    source: file,
    warning: loose
      ? `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`
      : undefined,
  }
}

/** Written whole to a temporary file, synced, then linked into place: never an empty or half key file. */
function createKeyFile(file: string) {
  const temp = `${file}.${process.pid}.tmp`
  const fd = openSync(temp, 'wx', 0o600)
  try {
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(temp, file) // EEXIST: another process made one first, and that one counts
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    unlinkSync(temp)
  }
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

function statOrNull(file: string) {
  try {
    return statSync(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}

const derive = (secret: string) =>
  new Uint8Array(hkdfSync('sha256', secret, 'automcp', 'automcp secret key v1', 32))
