import { describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type Check,
  counts,
  differences,
  gatewayProblems,
  readSuiteResult,
  type SuiteResult,
  scenarioResult,
} from './conformance/server-results'
import { tempDir } from './helpers/process'

// How `npm run conformance:server` reads the suite's output directory and judges the gateway, on
// directories laid out as the suite lays them out (the end-to-end run is test/conformance-server.test.ts).

const ok = (name: string): Check => ({ name, status: 'SUCCESS' })
const bad = (name: string, errorMessage: string): Check => ({ name, status: 'FAILURE', errorMessage })

/** A suite result with these scenarios passing (one check each) and the others failing. */
function suite(passing: string[], failing: string[]): SuiteResult {
  const scenarios = [
    ...passing.map((s) => scenarioResult(s, [ok(s)])),
    ...failing.map((s) => scenarioResult(s, [bad(s, 'nope')])),
  ]
  return {
    url: 'http://127.0.0.1:1/mcp',
    scenarios,
    checks: { passed: passing.length, failed: failing.length },
    output: '',
  }
}

describe('reading a run', () => {
  test('counts checks and scenarios from each checks.json; a printed scenario without one failed', () => {
    const dir = tempDir('automcp-conformance-results-')
    const write = (name: string, checks: Check[]) => {
      mkdirSync(join(dir, `server-${name}-2026-12-02T01-00-23-507Z`))
      writeFileSync(
        join(dir, `server-${name}-2026-12-02T01-00-23-507Z`, 'checks.json'),
        JSON.stringify(checks),
      )
    }
    write('ping', [ok('Ping')])
    write('dns-rebinding-protection', [bad('DNSRebindingRejected', 'got 200'), ok('LocalhostHostAccepted')])
    write('server-sse-multiple-streams', [ok('a'), ok('b'), { name: 'c', status: 'WARNING' }])
    const output = [
      '✓ ping: 1 passed, 0 failed',
      '✗ tools-call-sampling: 0 passed, 1 failed',
      '✓ server-sse-multiple-streams: 2 passed, 0 failed',
      '✗ dns-rebinding-protection: 1 passed, 1 failed',
    ].join('\n')
    const r = readSuiteResult('http://x/mcp', dir, output)
    expect(r.scenarios.map((s) => [s.scenario, s.passed])).toEqual([
      ['ping', true],
      ['tools-call-sampling', false],
      ['server-sse-multiple-streams', true],
      ['dns-rebinding-protection', false],
    ])
    expect(r.scenarios[3]?.failures).toEqual(['DNSRebindingRejected: got 200'])
    expect(r.scenarios[1]?.failures).toEqual(['left no checks.json'])
    expect(counts(r)).toBe('4/5 checks, 2/4 scenarios')
  })

  test('a scenario that recorded no check at all did not pass', () => {
    expect(scenarioResult('ping', []).passed).toBe(false)
  })
})

describe('judging the gateway', () => {
  const direct = suite(['ping', 'tools-list'], ['dns-rebinding-protection', 'tools-call-image'])

  test('passing what the server passes directly, plus dns-rebinding-protection, is enough', () => {
    const gateway = suite(['ping', 'tools-list', 'dns-rebinding-protection'], ['tools-call-image'])
    expect(gatewayProblems(direct, gateway)).toEqual([])
    expect(differences(direct, gateway)).toEqual(['dns-rebinding-protection (direct ✗, gateway ✓)'])
  })

  test('a scenario lost through the gateway, or one it never ran, is a problem', () => {
    const gateway = suite(['tools-list', 'dns-rebinding-protection'], [])
    expect(gatewayProblems(direct, gateway)).toEqual([
      'ping fails through the gateway (passes directly): not run',
    ])
    const failing = suite(['ping', 'dns-rebinding-protection'], ['tools-list'])
    expect(gatewayProblems(direct, failing)).toEqual([
      'tools-list fails through the gateway (passes directly): tools-list: nope',
    ])
  })

  test('dns-rebinding-protection must pass through the gateway even when the server fails it', () => {
    const gateway = suite(['ping', 'tools-list'], ['dns-rebinding-protection'])
    expect(gatewayProblems(direct, gateway)).toEqual([
      'dns-rebinding-protection fails through the gateway: dns-rebinding-protection: nope',
    ])
  })

  test('for the reference server, every scenario must pass, directly and through the gateway', () => {
    const all = ['ping', 'tools-list', 'dns-rebinding-protection', 'tools-call-image']
    expect(gatewayProblems(suite(all, []), suite(all, []), { requireAll: true })).toEqual([])
    const gateway = suite(['ping', 'tools-list', 'dns-rebinding-protection'], ['tools-call-image'])
    expect(gatewayProblems(suite(all, []), gateway, { requireAll: true })).toEqual([
      'tools-call-image fails through the gateway (passes directly): tools-call-image: nope',
    ])
    expect(gatewayProblems(direct, suite(all, []), { requireAll: true })).toEqual([
      'dns-rebinding-protection fails directly, though the reference server has every fixture: dns-rebinding-protection: nope',
      'tools-call-image fails directly, though the reference server has every fixture: tools-call-image: nope',
    ])
  })

  test('a run with no scenario at all is a problem, not a vacuous pass', () => {
    const none = suite([], [])
    expect(gatewayProblems(none, suite(['dns-rebinding-protection'], []))).toEqual([
      'the suite ran no scenario against the server directly',
    ])
  })
})
