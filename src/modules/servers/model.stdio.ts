import { t } from 'elysia'

// The `t` schemas of a stdio server's program and child (see ./model.ts).

// A stdio server's program. Its `env` is write-only like `headers`.
export const command = t.String({
  minLength: 1,
  maxLength: 4096,
  pattern: '^[^\\u0000]*$',
  description:
    'stdio: the program to start, a name looked up in PATH (`npx`) or a path; requires `transport: "stdio"`',
  error: 'must be a program name or path of 1-4096 characters',
  examples: ['npx'],
})
export const args = t.Array(t.String({ maxLength: 8192, pattern: '^[^\\u0000]*$' }), {
  maxItems: 256,
  description: 'stdio: the arguments, each passed as it is (no shell)',
  error: 'must be an array of at most 256 strings of at most 8192 characters',
  examples: [['-y', '@modelcontextprotocol/server-memory']],
})
export const env = t.Record(
  t.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' }),
  t.String({
    maxLength: 32_768,
    pattern: '^[^\\u0000]*$',
    error: 'must be a string of at most 32768 characters',
  }),
  {
    additionalProperties: false,
    maxProperties: 64,
    description:
      'stdio: environment variables for the program, on top of a safe default set (PATH, HOME, USER…). Write-only: never returned',
    error: 'must be an object of variable names to string values (at most 64)',
  },
)
export const cwd = t.String({
  minLength: 1,
  maxLength: 4096,
  pattern: '^/[^\\u0000]*$',
  description: "stdio: the program's working directory, an absolute path (default: AutoMCP's own)",
  error: 'must be an absolute path of at most 4096 characters',
})
export const processInfo = t.Nullable(
  t.Object({
    pid: t.Nullable(t.Integer({ description: 'The running child, or null while it is not running' })),
    started_at: t.Nullable(t.Number({ description: 'Epoch seconds the running child started' })),
    restarts: t.Integer({
      description: 'Times the child was started again since registration or the last change',
    }),
    last_exit: t.Nullable(
      t.Object({
        code: t.Nullable(t.Integer()),
        signal: t.Nullable(t.String({ examples: ['SIGKILL'] })),
        at: t.Number({ description: 'Epoch seconds' }),
      }),
    ),
  }),
  { description: "A stdio server's child; null for other servers" },
)
