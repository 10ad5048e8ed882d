import { describe, expect, test } from 'bun:test'
import { badgeSvg, escapeXml, maxBadgeText, textWidth } from './badge'

describe('textWidth', () => {
  test('sums per-character Verdana widths: narrow letters count less than wide ones', () => {
    expect(textWidth('')).toBe(0)
    expect(textWidth('iiii')).toBeLessThan(textWidth('mmmm'))
    expect(textWidth('100%')).toBe(7 * 3 + 11)
    // Characters outside the table (other scripts, emoji) count as wide, never as nothing.
    expect(textWidth('名前')).toBe(22)
  })
})

describe('escapeXml', () => {
  test('escapes markup and quotes, drops what XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;')
    expect(escapeXml('a\u0000b\u001bc\td')).toBe('abc\td')
  })
})

describe('badgeSvg', () => {
  test('label on grey, value on its colour, each part as wide as its text plus padding', () => {
    const svg = badgeSvg({ label: 'uptime 24h', value: '99.5%', colour: '#4c1' })
    const lw = Math.ceil(textWidth('uptime 24h')) + 10
    const vw = Math.ceil(textWidth('99.5%')) + 10
    expect(svg).toStartWith(`<svg xmlns="http://www.w3.org/2000/svg" width="${lw + vw}" height="20"`)
    expect(svg).toContain(`<rect width="${lw}" height="20" fill="#555"/>`)
    expect(svg).toContain(`<rect x="${lw}" width="${vw}" height="20" fill="#4c1"/>`)
    expect(svg).toContain('<title>uptime 24h: 99.5%</title>')
    expect(svg).toContain('aria-label="uptime 24h: 99.5%"')
    expect(svg).toContain(
      `<text x="${lw / 2}" y="14" textLength="${textWidth('uptime 24h')}">uptime 24h</text>`,
    )
    expect(svg).toContain(`<text x="${lw + vw / 2}" y="14" textLength="${textWidth('99.5%')}">99.5%</text>`)
  })

  test('text is escaped everywhere it appears; nothing can open an element', () => {
    const svg = badgeSvg({ label: '<script>alert(1)</script>', value: '"x" & y', colour: '#e05d44' })
    expect(svg).not.toContain('<script')
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(svg).toContain('aria-label="&lt;script&gt;alert(1)&lt;/script&gt;: &quot;x&quot; &amp; y"')
    expect(svg.match(/<text /g)).toHaveLength(4)
  })

  test('a long label is cut with an ellipsis', () => {
    const svg = badgeSvg({ label: 'x'.repeat(100), value: 'healthy', colour: '#4c1' })
    expect(svg).toContain(`<title>${'x'.repeat(maxBadgeText - 1)}…: healthy</title>`)
  })

  test('a colour that is not a hex colour is refused (it lands in an attribute)', () => {
    expect(() => badgeSvg({ label: 'a', value: 'b', colour: 'red" onload="x' })).toThrow('not a colour')
  })
})
