// Shields-style SVG badges ("label | value", the value on a colour), as Gatus and shields.io draw them. Pure.

/** Verdana 11px advance widths (px), the font badges are drawn in; other characters count as `wide`. */
const widthGroups: [number, string][] = [
  [3.02, 'il|'],
  [3.8, " fj'"],
  [4.33, '!t'],
  [4.7, 'rI'],
  [5.0, '.,:;()[]{}-/\\J'],
  [5.75, 'csz?"'],
  [6.55, 'aekvxy'],
  [6.9, 'bdghnopqu'],
  [7.0, '0123456789$*_^~`'],
  [7.0, 'FLPTYZ'],
  [7.6, 'ABCEKRSVX'],
  [8.5, 'DGHNOQU'],
  [9.0, '#+<=>w'],
  [9.3, 'M'],
  [10.7, 'm'],
  [11.0, '%@W'],
]
const widths = new Map(widthGroups.flatMap(([w, chars]) => [...chars].map((c) => [c, w] as const)))
const wide = 11

/** The width in px that `text` takes in Verdana 11px, estimated per character (no font at hand). */
export function textWidth(text: string): number {
  let sum = 0
  for (const c of text) sum += widths.get(c) ?? wide
  return Math.round(sum * 10) / 10
}

/** Text safe in XML content and attributes; characters XML 1.0 cannot hold at all are dropped. */
export function escapeXml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 cannot hold
  const unfit = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g
  return text
    .replace(unfit, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`)
}

/** A label longer than this many characters is cut, with an ellipsis: a badge is read at a glance. */
export const maxBadgeText = 40

const cut = (text: string) => {
  const chars = [...text]
  return chars.length > maxBadgeText ? `${chars.slice(0, maxBadgeText - 1).join('')}…` : text
}

/** Colours of the badges (shields.io's palette). */
export const badgeColours = {
  green: '#4c1',
  yellowgreen: '#a4a61d',
  yellow: '#dfb317',
  orange: '#fe7d37',
  red: '#e05d44',
  grey: '#9f9f9f',
} as const

/**
 * A flat badge: `label` on grey, `value` on `colour` (a `#rgb` or `#rrggbb`), each part as wide as its
 * estimated text plus 5 px either side. `textLength` makes any fallback font fit the estimate.
 */
export function badgeSvg({ label, value, colour }: { label: string; value: string; colour: string }): string {
  if (!/^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(colour)) throw new Error(`not a colour: ${colour}`)
  const [l, v] = [cut(label), cut(value)]
  const [lw, vw] = [textWidth(l), textWidth(v)]
  const [lbox, vbox] = [Math.ceil(lw) + 10, Math.ceil(vw) + 10]
  const total = lbox + vbox
  const title = escapeXml(`${l}: ${v}`)
  const text = (x: number, width: number, s: string) =>
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3" textLength="${width}">${escapeXml(s)}</text>` +
    `<text x="${x}" y="14" textLength="${width}">${escapeXml(s)}</text>`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lbox}" height="20" fill="#555"/><rect x="${lbox}" width="${vbox}" height="20" fill="${colour}"/><rect width="${total}" height="20" fill="url(#s)"/></g>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    text(lbox / 2, lw, l),
    text(lbox + vbox / 2, vw, v),
    '</g></svg>',
  ].join('')
}
