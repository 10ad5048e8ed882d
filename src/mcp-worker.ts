// Entry point of the MCP thread (see modules/mcp/worker.ts), which also runs SQLite's WAL checkpoints
// (db/checkpointer.ts). It sits beside main.ts so that `new URL('./mcp-worker.ts', import.meta.url)` finds it
// both from source and inside the compiled executable, where `npm run build` embeds it as a second entry.
import './modules/mcp/worker'
