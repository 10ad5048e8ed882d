import { expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { settings } from '../src/config'

const root = join(import.meta.dir, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const readme = read('README.md')
const pages = [
  'README.md',
  'ARCHITECTURE.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

test('docs/configuration.md lists every setting with its default', () => {
  const rows = read('docs/configuration.md')
    .split('\n')
    .filter((l) => l.startsWith('| '))
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

test('the README stays short: under 15 KB', () => {
  expect(Buffer.byteLength(readme)).toBeLessThan(15 * 1024)
})

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = fenced ? undefined : /^#{1,6} (.+)$/.exec(line)?.[1]
    if (!heading) continue
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-')
    const n = seen.get(slug) ?? 0
    seen.set(slug, n + 1)
    anchors.add(n === 0 ? slug : `${slug}-${n}`)
  }
  return anchors
}

test('every relative link in the docs points at a file and heading that exist', () => {
  const broken: string[] = []
  for (const page of pages) {
    const text = read(page).replace(/```[\s\S]*?```/g, '')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue
      const [path = '', anchor] = target.split('#')
      const file = path ? join(dirname(join(root, page)), path) : join(root, page)
      if (!existsSync(file)) {
        broken.push(`${page}: ${target} (no such file)`)
        continue
      }
      if (anchor && !anchorsOf(readFileSync(file, 'utf8')).has(anchor))
        broken.push(`${page}: ${target} (no heading #${anchor} in ${relative(root, file)})`)
    }
  }
  expect(broken).toEqual([])
})
