// The dashboard's one HTML page, and the headers its pages carry. Pure.

/** No inline script or style, nothing from another origin; the page talks to AutoMCP only. */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export const pageHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

/** The page that loads the app: its hashed script and style sheets. */
export function shellHtml(files: readonly string[], title = 'AutoMCP'): string {
  const scripts = files.filter((f) => f.endsWith('.js'))
  const styles = files.filter((f) => f.endsWith('.css'))
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="color-scheme" content="light dark" />
  <title>${title}</title>
${styles.map((f) => `  <link rel="stylesheet" href="/assets/${f}" />`).join('\n')}
${scripts.map((f) => `  <script type="module" src="/assets/${f}"></script>`).join('\n')}
</head>
<body>
  <div id="app"></div>
  <noscript>The AutoMCP dashboard needs JavaScript; the API is at <a href="/swagger">/swagger</a>.</noscript>
</body>
</html>`
}
