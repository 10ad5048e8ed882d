import { openapi } from '@elysiajs/openapi'
import type { OpenAPIV3 } from 'openapi-types'
import { version } from '../../version'

/** The plugin's own route, which cannot declare its access like ours: public, as Swagger UI reads the
 * document before the user has given a key. */
export const openapiRoutes = [{ method: 'GET', path: '/openapi/json', access: 'public' }] as const

/**
 * The OpenAPI document at `/openapi/json`, built from every route's `t` schemas; `paths` adds what
 * OpenAPI cannot describe by itself (the WebSocket routes).
 */
export const openapiDocument = (paths: OpenAPIV3.PathsObject) =>
  openapi({
    path: '/openapi',
    provider: null,
    // `/oauth/client-metadata.json` is an API route, not a static file to leave out.
    exclude: { staticFile: false },
    documentation: {
      info: {
        title: 'AutoMCP',
        version,
        description:
          'Registry, health monitor and chat gateway for MCP servers. Every error is `{ detail, code }`. Live events: WebSocket `/events`; chat: WebSocket `/chat`.',
      },
      paths,
      // Every operation takes an API key unless it says otherwise (Swagger UI's Authorize button).
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key (`automcp keys create`). WebSockets also take `?token=<key>`.',
          },
        },
      },
      security: [{ bearer: [] }],
      tags: [
        { name: 'servers', description: 'The registry of MCP servers' },
        { name: 'monitoring', description: 'Checks, history and statistics' },
        { name: 'tools', description: "One server's MCP tools, listed and called directly" },
        { name: 'toolsets', description: 'Named selections of servers and tools, served at /mcp/{toolset}' },
        { name: 'keys', description: 'API keys, listed, created and revoked (admin)' },
        { name: 'events', description: 'Live events over WebSocket' },
        { name: 'chat', description: 'Chat with an OpenAI-compatible upstream, using MCP tools' },
        {
          name: 'openai',
          description: 'OpenAI-compatible API: point an OpenAI SDK at `<AutoMCP>/v1`',
        },
        {
          name: 'oauth',
          description: 'OAuth 2.1 to MCP servers: authorize one, and the browser coming back',
        },
        { name: 'system', description: 'AutoMCP itself' },
      ],
    },
  })
