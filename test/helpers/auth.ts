/**
 * The API key every test request carries. Process tests hand it to the server as `AUTOMCP_API_KEY`;
 * the server ignores it until authentication is enforced, and then requires it.
 */
export const apiKey = 'automcp-test-key-0123456789abcdef'

export const authHeaders = { authorization: `Bearer ${apiKey}` } as const

/** The environment that gives a server process the key. */
export const authEnv = { AUTOMCP_API_KEY: apiKey } as const
