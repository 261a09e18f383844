import type { CriterionResult, CriterionStatus, GradeReport } from '../grade-result.ts'

export const STATUS_WORD: Record<CriterionStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'not-yet': 'NOT YET',
}

/** `PASS: 5 of 5 acceptance criteria pass; 120/140 points` */
export function verdictLine(report: GradeReport): string {
  const acceptance = report.criteria.filter((c) => c.kind === 'acceptance')
  const passed = acceptance.filter((c) => c.status === 'pass').length
  const word = report.passed ? 'PASS' : acceptance.some((c) => c.status === 'fail') ? 'FAIL' : 'NOT YET'
  return `${word}: ${passed} of ${acceptance.length} acceptance criteria pass; ${report.points}/${report.maxPoints} points`
}

/** `1.` for acceptance criteria (in order), `stretch` for the others. */
export function criterionLabel(report: GradeReport, c: CriterionResult): string {
  return c.kind === 'acceptance'
    ? `${report.criteria.filter((x) => x.kind === 'acceptance').indexOf(c) + 1}.`
    : 'stretch'
}
