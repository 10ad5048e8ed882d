// The status page's style sheet, served under a name with its hash (so it is cached for good): the page's
// CSP allows style sheets from AutoMCP itself and nothing inline.
import { badgeColours } from './badge'

const colours = Object.entries(badgeColours)
  .map(([name, hex]) => `.colour-${name} { --colour: ${hex}; }`)
  .join('\n')

export const statusCss = `:root { font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0; padding: 2rem 1rem; }
main { max-width: 48rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid color-mix(in srgb, currentColor 20%, transparent); }
th[scope="row"] { font-weight: 600; overflow-wrap: anywhere; }
td.uptime { font-variant-numeric: tabular-nums; }
.status::before, td.uptime::before { content: ""; display: inline-block; width: 0.7em; height: 0.7em; margin-right: 0.4em; border-radius: 50%; background: var(--colour); }
.updated { opacity: 0.7; font-size: 0.875rem; }
${colours}
`

/** The file name the page links to: changes whenever the sheet does. */
export const statusCssName = `status-${Bun.hash(statusCss).toString(36)}.css`
