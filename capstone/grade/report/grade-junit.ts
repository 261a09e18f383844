import { escapeXml } from '../../../gate/report/gate-junit.ts'
import type { CriterionResult, GradeReport } from '../grade-result.ts'

const seconds = (ms: number) => (ms / 1000).toFixed(3)

function body(c: CriterionResult): string {
  return escapeXml(
    [...c.evidence.map((e) => `${e.kind} ${e.ref}: ${e.detail}`), ...c.next.map((n) => `next: ${n}`)].join(
      '\n',
    ),
  )
}

function testcase(c: CriterionResult): string {
  const open = `    <testcase classname="firedrill-capstone.${c.kind}" name="${escapeXml(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}">`
  const message = escapeXml(c.summary)
  if (c.status === 'pass') return `${open}\n    </testcase>`
  // A stretch goal not reached yet is not a failure of the capstone.
  if (c.status === 'not-yet' && c.kind === 'stretch')
    return `${open}\n      <skipped message="${message}"/>\n    </testcase>`
  return `${open}\n      <failure message="${message}" type="${c.status}">\n${body(c)}\n      </failure>\n    </testcase>`
}

/** The grade as JUnit XML: one testsuite, one testcase per criterion; a stretch goal not yet reached is skipped. */
export function gradeJunitXml(report: GradeReport): string {
  const tests = report.criteria.length
  const failures = report.criteria.filter(
    (c) => c.status === 'fail' || (c.status === 'not-yet' && c.kind === 'acceptance'),
  ).length
  const skipped = report.criteria.filter((c) => c.status === 'not-yet' && c.kind === 'stretch').length
  const time = seconds(report.criteria.reduce((sum, c) => sum + c.durationMs, 0))
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    `<testsuites name="firedrill grade" tests="${tests}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${escapeXml(`capstone @ ${report.trunkCommit.slice(0, 12)}`)}" timestamp="${escapeXml(report.gradedAt)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">`,
    ...report.criteria.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
