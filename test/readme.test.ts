import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { settings } from '../src/config'

const readme = readFileSync(join(import.meta.dir, '..', 'README.md'), 'utf8')

test('the README configuration table lists every setting with its default', () => {
  const rows = readme.split('\n').filter((l) => l.startsWith('| '))
  for (const s of Object.values(settings)) {
    const row = rows.find((r) => r.includes(`\`${s.env}\``))
    expect(row, s.env).toBeDefined()
    if ('flag' in s && s.flag) expect(row).toContain(`\`${s.flag}\``)
    if ('alias' in s && s.alias) expect(row).toContain(`\`${s.alias}\``)
    const def = 'shown' in s ? s.shown : s.default
    if (typeof def === 'string' || typeof def === 'number') expect(row).toContain(`\`${def}\``)
  }
})

test('the README quick start is the two commands', () => {
  expect(readme).toContain('npm install && npm start')
  expect(readme).toContain('npm install && npm test')
})
