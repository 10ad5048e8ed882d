import { httpUrl, setting } from '../../shared/settings'

/** Where AutoMCP is reached from a browser: the base of its OAuth redirect URI and metadata document. */
export const oauthSettings = {
  publicUrl: setting({
    env: 'AUTOMCP_PUBLIC_URL',
    default: undefined as string | undefined,
    shown: 'http://localhost:<port>',
    doc: "AutoMCP's address as a browser reaches it: the base of the OAuth redirect URI (`/oauth/callback`) and of its client metadata document",
    parse: httpUrl,
  }),
  oauthClientIdUrl: setting({
    env: 'AUTOMCP_OAUTH_CLIENT_ID_URL',
    default: undefined as string | undefined,
    shown: '<public URL>/oauth/client-metadata.json',
    doc: "Where AutoMCP's OAuth Client ID Metadata Document is published (served at `/oauth/client-metadata.json`); authorization servers that accept one get it as the client id when it is https, others a dynamic registration",
    parse: httpUrl,
  }),
}
