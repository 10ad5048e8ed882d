// Entry point of the background thread (see modules/monitoring/probe/worker.ts). It sits beside main.ts
// so that `new URL('./probe-worker.ts', import.meta.url)` finds it both from source and inside the
// compiled executable, where `npm run build` embeds it as a second entry point.
import './modules/monitoring/probe/worker'
