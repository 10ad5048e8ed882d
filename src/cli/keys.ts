import type { Config } from '../config'
import type { Role } from '../modules/auth/keys'
import { createKeyRepository } from '../modules/auth/keys.repository'
import { createKeyService } from '../modules/keys/service'
import { createToolsetRepository } from '../modules/toolsets/repository'
import { HttpError } from '../shared/errors'
import { openDatabase } from './database'
import { fail } from './fail'

/** Splits `keys …` arguments from the settings ones, which loadConfig reads. */
export function parseKeysArgs(args: string[]): {
  action: string
  options: Record<string, string>
  rest: string[]
} {
  const [action = '', ...others] = args
  const options: Record<string, string> = {}
  const rest: string[] = []
  for (let i = 0; i < others.length; i++) {
    const arg = others[i] as string
    const [name, inline] = arg.split('=', 2) as [string, string | undefined]
    if (name === '--name' || name === '--role' || name === '--toolset') {
      const value = inline ?? others[++i]
      if (value === undefined) fail(`${name} needs a value`)
      options[name.slice(2)] = value
    } else if (action === 'revoke' && !arg.startsWith('-') && !options.id) options.id = arg
    else rest.push(arg)
  }
  return { action, options, rest }
}

/** `automcp keys create|list|revoke`: works on the database directly, with or without a server running. */
export function keysCommand(config: Config, action: string, options: Record<string, string>) {
  const db = openDatabase(config)
  const keys = createKeyRepository(db)
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString())
  switch (action) {
    case 'create': {
      const { toolset } = options
      // As POST /keys: a toolset key is a read key unless told otherwise; other keys default to admin here.
      const role = (options.role ?? (toolset ? 'read' : 'admin')) as Role
      if (role !== 'admin' && role !== 'read') fail(`--role must be admin or read, got "${role}"`)
      const toolsets = createToolsetRepository(db)
      const service = createKeyService({ keys, toolsetExists: (name) => toolsets.byName(name) !== undefined })
      try {
        const created = service.create({ name: options.name ?? `${role} key`, role, toolset })
        const limited = created.toolset
          ? `, limited to the toolset ${created.toolset}: /mcp/${created.toolset}`
          : ''
        console.log(
          `created ${created.id} (${created.role}, "${created.name}"${limited}). The key, shown only this once:\n\n  ${created.key}\n`,
        )
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        fail(error.message.replace('body field "toolset"', '--toolset'))
      }
      break
    }
    case 'list': {
      const rows = keys.list()
      if (rows.length === 0) console.log('no keys')
      for (const k of rows)
        console.log(
          [
            k.id,
            k.role.padEnd(5),
            k.prefix,
            `created ${iso(k.createdAt)}`,
            `last used ${iso(k.lastUsedAt)}`,
            k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'active',
            ...(k.toolset ? [`toolset ${k.toolset}`] : []),
            JSON.stringify(k.name),
          ].join('  '),
        )
      break
    }
    case 'revoke':
      if (!options.id) fail('keys revoke needs the id of a key (see automcp keys list)')
      if (!keys.revoke(options.id)) fail(`no active key with id "${options.id}"`)
      console.log(`revoked ${options.id}`)
      break
    default:
      fail(`unknown keys action "${action}" (create, list or revoke)`)
  }
  db.$client.close()
}
