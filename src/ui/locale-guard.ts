// A browser started with LANG=C (headless Chromium on a server) reports its language as `en-US@posix`, which
// Intl refuses; uPlot formats numbers with it as soon as it loads, and the page would stay blank. Imported
// first, before anything that formats.
try {
  new Intl.NumberFormat(navigator.language)
} catch {
  Object.defineProperty(Navigator.prototype, 'language', { get: () => 'en-US', configurable: true })
}
