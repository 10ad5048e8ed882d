import { HttpError } from '../../shared/errors'

// The OAuth routes' errors. Their codes are part of the API: never rename one.

export const noOAuth = () =>
  new HttpError(
    409,
    'no_oauth',
    'This server has no OAuth settings: register it with `oauth` to authorize it',
  )

export const notInteractive = () =>
  new HttpError(
    409,
    'oauth_not_interactive',
    'This server uses client credentials: AutoMCP obtains its tokens by itself, no one needs to authorize it',
  )

/** Discovery, registration or the authorization request could not be made. */
export const oauthFailed = (why: string) =>
  new HttpError(502, 'oauth_failed', `OAuth to the server failed: ${why}`)
