import type { GradeReport } from '../grade-result.ts'

/** One test of a GitHub Classroom autograding runner's result. */
export interface ClassroomTest {
  name: string
  status: 'pass' | 'fail'
  message: string
  test_code: string
  filename: string
  line_no: number
  execution_time: string
  score: number
}

/** What an autograding runner step puts (base64) in its `result` output, for autograding-grading-reporter. */
export interface ClassroomResult {
  version: 1
  status: 'pass' | 'fail'
  max_score: number
  tests: ClassroomTest[]
}

/**
 * The grade in GitHub Classroom's autograding shape: one test per criterion, scored by the rubric. In a workflow:
 * `echo "result=$(base64 -w0 FILE)" >> "$GITHUB_OUTPUT"` on a step whose id the reporter's `runners` names.
 */
export function gradeClassroom(report: GradeReport): ClassroomResult {
  return {
    version: 1,
    status: report.passed ? 'pass' : 'fail',
    max_score: report.maxPoints,
    tests: report.criteria.map((c) => ({
      name: `${c.id}: ${c.title}`,
      status: c.status === 'pass' ? 'pass' : 'fail',
      message:
        c.status === 'pass'
          ? c.summary
          : `${c.summary}${c.next.length > 0 ? ` (next: ${c.next.join('; ')})` : ''}`,
      test_code: 'npx firedrill grade',
      filename: '',
      line_no: 0,
      execution_time: `${(c.durationMs / 1000).toFixed(2)}s`,
      score: c.points,
    })),
  }
}
