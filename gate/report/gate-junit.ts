import { hostname } from 'node:os'
import { type JunitCase, type JunitSuite, junitXml } from '../../record/junit/junit-xml.ts'
import type { GateResult, StepResult } from '../runner/gate-result.ts'

function stepCase(step: StepResult): JunitCase {
  const status =
    step.status === 'passed'
      ? 'passed'
      : step.status === 'skipped'
        ? 'skipped'
        : step.status === 'error'
          ? 'error'
          : 'failed'
  return {
    classname: 'firedrill-gate',
    name: step.name,
    timeMs: step.durationMs,
    status,
    ...(status === 'passed' || status === 'skipped' ? {} : { message: step.reason ?? step.status }),
    type: step.status,
    body: step.outputTail,
  }
}

/**
 * A test step's verdict comes from the gate (its exit code, its timeout), not from the report its code wrote:
 * when the two disagree (the step failed with no failing test case, or wrote none), the step itself is
 * a testcase too, so a red step is never shown as all green.
 */
function stepStandsAlone(step: StepResult): boolean {
  if (step.tests === undefined) return true
  if (step.status === 'passed') return false
  return !step.tests.some((t) => t.status === 'failed' || t.status === 'error')
}

/**
 * The gate run as JUnit XML. Steps without test cases of their own are one testcase each in the gate's suite;
 * a test step (`unit-tests`, `contract-tests`) contributes its tests' own cases, as its test runner reported
 * them, in a suite named after the step. `<failure>` for failed and timed-out steps, `<error>` for steps that
 * could not run. Non-blocking failures are failures here too: the report says what happened, the ledger what
 * it means.
 */
export function gateJunitXml(result: GateResult): string {
  const host = hostname()
  const gateSuite: JunitSuite = {
    name: `firedrill-gate.yaml @ ${result.commit.slice(0, 12)}`,
    timestamp: result.startedAt,
    hostname: host,
    timeMs: result.durationMs,
    cases: result.steps.filter(stepStandsAlone).map(stepCase),
  }
  const testSuites: JunitSuite[] = result.steps
    .filter((s) => s.tests !== undefined)
    .map((s) => ({
      name: `${s.name} @ ${result.commit.slice(0, 12)}`,
      timestamp: result.startedAt,
      hostname: host,
      timeMs: s.durationMs,
      cases: (s.tests ?? []).map((t) => ({ ...t, classname: `${s.name}.${t.classname}` })),
    }))
  return junitXml(
    'firedrill gate',
    [...(gateSuite.cases.length > 0 ? [gateSuite] : []), ...testSuites],
    result.durationMs,
  )
}
