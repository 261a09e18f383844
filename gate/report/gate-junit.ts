import { hostname } from 'node:os'
import type { GateResult, StepResult } from '../runner/gate-result.ts'

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters outright
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

/** Text or an attribute value made safe for XML 1.0. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function testcase(step: StepResult): string {
  const open = `    <testcase classname="firedrill-gate" name="${escapeXml(step.name)}" time="${seconds(step.durationMs)}">`
  const message = escapeXml(step.reason ?? step.status)
  const body = escapeXml(step.outputTail)
  switch (step.status) {
    case 'passed':
      return `${open}\n    </testcase>`
    case 'skipped':
      return `${open}\n      <skipped/>\n    </testcase>`
    case 'error':
      return `${open}\n      <error message="${message}" type="error">\n${body}\n      </error>\n    </testcase>`
    default:
      return `${open}\n      <failure message="${message}" type="${step.status}">\n${body}\n      </failure>\n    </testcase>`
  }
}

/**
 * The gate run as JUnit XML in the shape vitest's junit reporter writes: one testsuite for the gate, one
 * testcase per step, `<failure>` for failed and timed-out steps, `<error>` for steps that could not run.
 * Non-blocking failures are failures here too: the report says what happened, the ledger what it means.
 */
export function gateJunitXml(result: GateResult): string {
  const count = (s: StepResult['status']) => result.steps.filter((x) => x.status === s).length
  const failures = count('failed') + count('timed-out')
  const errors = count('error')
  const tests = result.steps.length
  const time = seconds(result.durationMs)
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    `<testsuites name="firedrill gate" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${escapeXml(`firedrill-gate.yaml @ ${result.commit.slice(0, 12)}`)}" timestamp="${escapeXml(result.startedAt)}" hostname="${escapeXml(hostname())}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${count('skipped')}" time="${time}">`,
    ...result.steps.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
