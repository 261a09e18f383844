/**
 * JUnit XML, the shape CI systems read (and vitest's junit reporter writes): `<testsuites>` over one
 * `<testsuite>` per group, one `<testcase>` per check, with `<failure>` for a check that said no, `<error>` for one
 * that could not run and `<skipped>` for one that did not apply. The gate, the grader and `run --ci` all write it
 * through here, so a reporter reads the three the same way.
 */

export type JunitStatus = 'passed' | 'failed' | 'error' | 'skipped'

export interface JunitCase {
  classname: string
  name: string
  timeMs: number
  status: JunitStatus
  /** One line: why it failed, errored or was skipped. */
  message?: string
  /** The failure's `type` attribute (default: the status). */
  type?: string
  /** The detail shown under the failure: output, evidence. */
  body?: string
}

export interface JunitSuite {
  name: string
  /** ISO time the suite started. */
  timestamp?: string
  hostname?: string
  /** The suite's wall time; the sum of its cases when not given. */
  timeMs?: number
  cases: readonly JunitCase[]
}

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

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3)

interface Counts {
  tests: number
  failures: number
  errors: number
  skipped: number
}

function countsOf(cases: readonly JunitCase[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failed').length,
    errors: cases.filter((c) => c.status === 'error').length,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  }
}

function testcase(c: JunitCase): string {
  const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${seconds(c.timeMs)}">`
  const message = escapeXml(c.message ?? c.status)
  const type = escapeXml(c.type ?? c.status)
  const body = escapeXml(c.body ?? '')
  switch (c.status) {
    case 'passed':
      return `${open}\n    </testcase>`
    case 'skipped':
      return c.message === undefined
        ? `${open}\n      <skipped/>\n    </testcase>`
        : `${open}\n      <skipped message="${message}"/>\n    </testcase>`
    case 'error':
      return `${open}\n      <error message="${message}" type="${type}">\n${body}\n      </error>\n    </testcase>`
    case 'failed':
      return `${open}\n      <failure message="${message}" type="${type}">\n${body}\n      </failure>\n    </testcase>`
  }
}

function suiteXml(s: JunitSuite): string[] {
  const n = countsOf(s.cases)
  const time = seconds(s.timeMs ?? s.cases.reduce((sum, c) => sum + c.timeMs, 0))
  const attrs = [
    `name="${escapeXml(s.name)}"`,
    ...(s.timestamp === undefined ? [] : [`timestamp="${escapeXml(s.timestamp)}"`]),
    ...(s.hostname === undefined ? [] : [`hostname="${escapeXml(s.hostname)}"`]),
    `tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${time}"`,
  ]
  return [`  <testsuite ${attrs.join(' ')}>`, ...s.cases.map(testcase), '  </testsuite>']
}

/** A whole JUnit document: `name` on `<testsuites>`, its counts summed over the suites. */
export function junitXml(name: string, suites: readonly JunitSuite[], totalMs?: number): string {
  const all = suites.flatMap((s) => s.cases)
  const n = countsOf(all)
  const time = seconds(totalMs ?? suites.reduce((sum, s) => sum + (s.timeMs ?? 0), 0))
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    `<testsuites name="${escapeXml(name)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" time="${time}">`,
    ...suites.flatMap(suiteXml),
    '</testsuites>',
    '',
  ].join('\n')
}
