// The dependency direction of ARCHITECTURE.md, checked in CI (`npm run check`):
// transports (chat, openai, events, gateway, controllers) → services (llm, tools, monitoring, servers) → mcp and
// repositories → db, shared. A rule names what may NOT be imported; everything else is allowed.

const transports = '^src/modules/(chat|openai|events|docs|metrics|system|gateway)/'
const services = '^src/modules/(llm|tools|monitoring|servers|auth|toolsets|keys)/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules form layers; a cycle means two of them know each other.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-and-db-are-the-bottom',
      severity: 'error',
      comment: 'src/shared and src/db are used by modules, never the other way round.',
      from: { path: '^src/(shared|db)/' },
      to: { path: '^src/(modules|cli|app\\.ts|services\\.ts|main\\.ts|config\\.ts)' },
    },
    {
      name: 'mcp-knows-only-mcp',
      severity: 'error',
      comment: 'The MCP client layer sits under every service: it imports db, shared and the SDK only.',
      from: { path: '^src/modules/mcp/' },
      to: { path: '^src/(?!modules/mcp/|shared/|db/|version\\.ts$)' },
    },
    {
      name: 'api-thread-loads-only-the-mcp-handle',
      severity: 'error',
      comment:
        "mcp/index.ts is the MCP thread's handle and types; the SDK's client (mcp/client.ts and what it loads) is for the MCP thread and `automcp probe`, so start-up never evaluates it. The gateway's SDK side (gateway/mcp-server.ts, loaded on the first /mcp request) shares the MCP thread's schema validator code.",
      from: {
        path: '^src/',
        pathNot: [
          '^src/modules/mcp/',
          '^src/mcp-worker\\.ts$',
          '^src/cli/probe\\.ts$',
          '^src/config\\.ts$',
          '^src/modules/gateway/mcp-server\\.ts$',
        ],
      },
      to: { path: '^src/modules/mcp/(?!index\\.ts$)' },
    },
    {
      name: 'config-reads-only-settings-of-mcp',
      severity: 'error',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/modules/mcp/(?!config\\.ts$)' },
    },
    {
      name: 'repositories-only-run-sql',
      severity: 'error',
      comment:
        'A repository takes db and runs SQL: it never calls up into a service, a controller or a module.',
      from: { path: ['repository\\.ts$', 'repository\\.statements\\.ts$'] },
      to: { path: '(service|index|module)\\.ts$' },
    },
    {
      name: 'services-never-import-transports',
      severity: 'error',
      comment: 'A service serves several transports (a WebSocket, HTTP, later /mcp); it knows none of them.',
      from: { path: services },
      to: { path: transports },
    },
    {
      name: 'transports-do-not-import-each-other',
      severity: 'error',
      comment: '/chat and /v1 are two doors to the same llm service; neither reaches into the other.',
      from: { path: '^src/modules/(chat|openai)/' },
      to: { path: '^src/modules/(chat|openai)/', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-elysia-below-transports',
      severity: 'error',
      comment:
        'The MCP thread, probes and repositories take db, fetch, a clock and a logger as plain arguments.',
      from: { path: ['^src/modules/mcp/', '^src/mcp-worker\\.ts$', 'repository\\.ts$', '^src/db/'] },
      to: { path: 'node_modules/elysia' },
    },
    {
      name: 'only-the-entry-points-build-the-app',
      severity: 'error',
      comment: 'app.ts and services.ts wire the modules together; no module reaches back up to them.',
      from: { path: '^src/', pathNot: ['^src/(cli/serve|main|app)\\.ts$', '^src/ui/'] },
      to: { path: '^src/(app|services)\\.ts$' },
    },
    {
      name: 'the-ui-knows-the-app-by-its-type',
      severity: 'error',
      comment:
        "The dashboard (src/ui, bundled for the browser) calls the API through Eden, typed from app.ts's `App`: a type, never the server's code.",
      from: { path: '^src/ui/' },
      to: { path: '^src/(?!ui/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'the-server-never-imports-the-ui',
      severity: 'error',
      comment:
        'src/ui is bundled for the browser by the dashboard module (a macro that builds it), never imported.',
      from: { path: '^src/(?!ui/)' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'tests-stay-out-of-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Our build output and data only: a pattern without `^` would also drop node_modules/*/dist, and with it
    // every import of Elysia that the rule below looks for.
    exclude: { path: '^(dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
}
