// The pure half of `npm run conformance:server`: reading what one run of the conformance suite's server
// scenarios left in its output directory, and judging a gateway's results against the same server's
// direct ones. No processes here, so test/conformance-server-results.test.ts can check it on its own.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Check = { name: string; status: string; errorMessage?: string; description?: string }

export type ScenarioResult = {
  scenario: string
  /** As the suite counts it: no check of the scenario failed (and it left its checks). */
  passed: boolean
  checks: { passed: number; failed: number }
  /** `name: message` of each failed check. */
  failures: string[]
}

export type SuiteResult = {
  url: string
  scenarios: ScenarioResult[]
  checks: { passed: number; failed: number }
  /** What the suite printed: the place to look when a count is surprising. */
  output: string
}

/** The scenario where the suite sends `Host: evil.example.com`: the gateway must refuse it. */
export const dnsRebinding = 'dns-rebinding-protection'

// The suite writes `<dir>/server-<scenario>-<ISO time with - for : and .>/checks.json` per scenario.
const scenarioDir = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/
// …and prints `✓ <scenario>: 1 passed, 0 failed` per scenario it ran.
const scenarioLine = /^[✓✗] (\S+): \d+ passed/gmu

/**
 * Every scenario of a run, from the checks each left in `dir`. A scenario the suite printed but left no
 * checks for (it crashed, or the run was cut short) counts as failed, with that as its failure.
 */
export function readSuiteResult(url: string, dir: string, output: string): SuiteResult {
  const byName = new Map<string, ScenarioResult>()
  for (const entry of readdirSync(dir)) {
    const scenario = scenarioDir.exec(entry)?.[1]
    if (!scenario) continue
    const checks = JSON.parse(readFileSync(join(dir, entry, 'checks.json'), 'utf8')) as Check[]
    byName.set(scenario, scenarioResult(scenario, checks))
  }
  for (const [, scenario] of output.matchAll(scenarioLine)) {
    if (scenario && !byName.has(scenario))
      byName.set(scenario, {
        scenario,
        passed: false,
        checks: { passed: 0, failed: 0 },
        failures: ['left no checks.json'],
      })
  }
  // In the suite's order, as it printed them.
  const order = [...output.matchAll(scenarioLine)].map((m) => m[1])
  const rank = (s: ScenarioResult) => {
    const i = order.indexOf(s.scenario)
    return i === -1 ? order.length : i
  }
  const scenarios = [...byName.values()].sort((a, b) => rank(a) - rank(b))
  const sum = (pick: (s: ScenarioResult) => number) => scenarios.reduce((n, s) => n + pick(s), 0)
  return {
    url,
    scenarios,
    checks: { passed: sum((s) => s.checks.passed), failed: sum((s) => s.checks.failed) },
    output,
  }
}

export function scenarioResult(scenario: string, checks: Check[]): ScenarioResult {
  const failed = checks.filter((c) => c.status === 'FAILURE')
  return {
    scenario,
    passed: checks.length > 0 && failed.length === 0,
    checks: { passed: checks.filter((c) => c.status === 'SUCCESS').length, failed: failed.length },
    failures: failed.map((c) => `${c.name}: ${(c.errorMessage ?? c.description ?? '').slice(0, 300)}`),
  }
}

export const passedScenarios = (r: SuiteResult) => r.scenarios.filter((s) => s.passed).map((s) => s.scenario)

/** `13/32 checks, 12/30 scenarios`. */
export function counts(r: SuiteResult): string {
  const checks = r.checks.passed + r.checks.failed
  return `${r.checks.passed}/${checks} checks, ${passedScenarios(r).length}/${r.scenarios.length} scenarios`
}

/**
 * What is wrong with the gateway's results (empty: nothing): a scenario the server passes directly that
 * fails through the gateway, `dns-rebinding-protection` failing through it, and with `requireAll` (a server
 * that has every fixture) any scenario failing, directly or through it.
 */
export function gatewayProblems(
  direct: SuiteResult,
  gateway: SuiteResult,
  { requireAll = false } = {},
): string[] {
  const problems: string[] = []
  const through = new Map(gateway.scenarios.map((s) => [s.scenario, s]))
  const failing = (s: ScenarioResult | undefined) => (s ? s.failures.join('; ') : 'not run')
  // Through the gateway, every scenario the server passes directly; for the reference server, all of them.
  const required = new Set(direct.scenarios.filter((s) => s.passed || requireAll).map((s) => s.scenario))
  required.add(dnsRebinding)
  for (const name of required) {
    const g = through.get(name)
    if (g?.passed) continue
    const why = direct.scenarios.find((s) => s.scenario === name)?.passed ? ' (passes directly)' : ''
    problems.push(`${name} fails through the gateway${why}: ${failing(g)}`)
  }
  if (requireAll)
    for (const s of direct.scenarios.filter((s) => !s.passed))
      problems.push(
        `${s.scenario} fails directly, though the reference server has every fixture: ${failing(s)}`,
      )
  if (direct.scenarios.length === 0) problems.push('the suite ran no scenario against the server directly')
  return problems
}

/** The scenarios whose outcome differs between the two runs, as `name (direct ✓, gateway ✗)`. */
export function differences(direct: SuiteResult, gateway: SuiteResult): string[] {
  const mark = (s: ScenarioResult | undefined) => (s?.passed ? '✓' : '✗')
  const names = new Set([...direct.scenarios, ...gateway.scenarios].map((s) => s.scenario))
  const find = (r: SuiteResult, name: string) => r.scenarios.find((s) => s.scenario === name)
  return [...names]
    .filter((n) => !!find(direct, n)?.passed !== !!find(gateway, n)?.passed)
    .map((n) => `${n} (direct ${mark(find(direct, n))}, gateway ${mark(find(gateway, n))})`)
}
