import { beforeAll, expect, test } from 'bun:test'
import { passedScenarios } from './conformance/server-results'
import { report, runServerConformance, type ServerConformance } from './conformance/server-runner'

// The official conformance suite's server scenarios (`npm run conformance:server`, run once for both tests:
// about 10 s) against server-everything and the suite's own reference server, directly and through
// AutoMCP's `/mcp/<toolset>` of a `prefix: false` toolset over each.
let result: ServerConformance

beforeAll(async () => {
  result = await runServerConformance()
  for (const r of result.targets) console.log(report(r).join('\n'))
}, 300_000)

const target = (name: string) => {
  const found = result.targets.find((r) => r.name === name)
  if (!found) throw new Error(`no result for ${name}`)
  return found
}

const through = (name: string) => {
  const gateway = target(name).gateway
  if (!gateway) throw new Error(`no gateway run for ${name}`)
  return gateway
}

// What the gateway is held to means something only if the direct runs show what they are known to show.
test('directly: the reference server passes all 30 scenarios; server-everything those it has fixtures for', () => {
  const reference = target('reference server')
  expect(reference.direct.scenarios.length).toBe(30)
  expect(passedScenarios(reference.direct).length).toBe(30)
  const everything = target('server-everything')
  expect(everything.direct.scenarios.length).toBe(30)
  expect(passedScenarios(everything.direct)).toEqual(
    expect.arrayContaining(['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list']),
  )
  // server-everything answers a forged Host: what the gateway must not do.
  expect(passedScenarios(everything.direct)).not.toContain('dns-rebinding-protection')
})

test('through /mcp/<toolset>: every scenario passed directly, dns-rebinding-protection, and the reference server 30/30', () => {
  if (result.gatewayError) throw new Error(result.gatewayError)
  for (const r of result.targets) {
    expect(r.gateway?.scenarios.length).toBe(r.direct.scenarios.length)
    expect({ server: r.name, problems: r.problems }).toEqual({ server: r.name, problems: [] })
  }
  expect(passedScenarios(through('reference server')).length).toBe(30)
  expect(passedScenarios(through('server-everything'))).toContain('dns-rebinding-protection')
})
