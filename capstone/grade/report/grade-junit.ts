import { type JunitCase, junitXml } from '../../../record/junit/junit-xml.ts'
import type { CriterionResult, GradeReport } from '../grade-result.ts'

function testcase(c: CriterionResult): JunitCase {
  const base = {
    classname: `firedrill-capstone.${c.kind}`,
    name: `${c.id}: ${c.title}`,
    timeMs: c.durationMs,
  }
  if (c.status === 'pass') return { ...base, status: 'passed' }
  // A stretch goal not reached yet is not a failure of the capstone.
  if (c.status === 'not-yet' && c.kind === 'stretch')
    return { ...base, status: 'skipped', message: c.summary }
  return {
    ...base,
    status: 'failed',
    message: c.summary,
    type: c.status,
    body: [
      ...c.evidence.map((e) => `${e.kind} ${e.ref}: ${e.detail}`),
      ...c.next.map((n) => `next: ${n}`),
    ].join('\n'),
  }
}

/** The grade as JUnit XML: one testsuite, one testcase per criterion; a stretch goal not yet reached is skipped. */
export function gradeJunitXml(report: GradeReport): string {
  const timeMs = report.criteria.reduce((sum, c) => sum + c.durationMs, 0)
  return junitXml(
    'firedrill grade',
    [
      {
        name: `capstone @ ${report.trunkCommit.slice(0, 12)}`,
        timestamp: report.gradedAt,
        timeMs,
        cases: report.criteria.map(testcase),
      },
    ],
    timeMs,
  )
}
