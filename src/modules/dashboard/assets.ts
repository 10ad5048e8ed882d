// The bundle, inlined at transpile time (see ./bundle.ts); loaded on the first request for the dashboard.
import { bundleUi } from './bundle' with { type: 'macro' }

const built = bundleUi()

if ('error' in built) throw new Error(`The dashboard's bundle did not build: ${built.error}`)

export const uiFiles: Record<string, string> = built.files
