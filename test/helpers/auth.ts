import { adminKey } from './app'

/** The API key every test request carries: the admin key test apps and processes accept. */
export const apiKey = adminKey

export const authHeaders = { authorization: `Bearer ${apiKey}` } as const

/** The environment that gives a server process the key. */
export const authEnv = { AUTOMCP_API_KEY: apiKey } as const
