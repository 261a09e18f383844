import type { JunitCase, JunitSuite } from '../record/junit/junit-xml.ts'

const MARK: Record<JunitCase['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  error: 'FAIL',
  skipped: 'SKIP',
}

function tally(suites: readonly JunitSuite[]) {
  const all = suites.flatMap((s) => s.cases)
  const n = (st: JunitCase['status'][]) => all.filter((c) => st.includes(c.status)).length
  return { passed: n(['passed']), failed: n(['failed', 'error']), skipped: n(['skipped']) }
}

const detail = (c: JunitCase) => c.message ?? (c.body !== undefined && !c.body.includes('\n') ? c.body : '')

/** A run's checks for people, as `run --ci` prints them: one line per check, grouped by phase. */
export function describeChecks(suites: readonly JunitSuite[]): string[] {
  const t = tally(suites)
  const width = Math.max(...suites.map((s) => s.name.length), 5)
  return [
    `checks     ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`,
    ...suites.flatMap((s) =>
      s.cases.map((c) => {
        const why = detail(c)
        return `  ${MARK[c.status]}  ${s.name.padEnd(width)}  ${c.name}${why === '' ? '' : `: ${why}`}`
      }),
    ),
  ]
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The same checks as Markdown, for `$GITHUB_STEP_SUMMARY`: a headline and one table row per check. */
export function checksMarkdown(title: string, suites: readonly JunitSuite[]): string {
  const t = tally(suites)
  const verdict = t.failed === 0 ? '✅ passed' : '❌ failed'
  return [
    `### ${cell(title)}: ${verdict}`,
    '',
    `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped.`,
    '',
    '| | part | check | detail |',
    '|---|---|---|---|',
    ...suites.flatMap((s) =>
      s.cases.map((c) => `| ${MARK[c.status]} | ${cell(s.name)} | ${cell(c.name)} | ${cell(detail(c))} |`),
    ),
    '',
  ].join('\n')
}
