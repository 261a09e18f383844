import type { GradeReport } from '../grade-result.ts'
import { criterionLabel, STATUS_WORD, verdictLine } from './grade-words.ts'

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')
const ICON = { pass: '✅', fail: '❌', 'not-yet': '⏳' } as const

/** The grade as Markdown, for `$GITHUB_STEP_SUMMARY` or a pull request comment. */
export function gradeMarkdown(report: GradeReport): string {
  const rows = report.criteria.map(
    (c) =>
      `| ${criterionLabel(report, c)} | \`${c.id}\` | ${ICON[c.status]} ${STATUS_WORD[c.status]} | ${c.points}/${c.maxPoints} | ${cell(c.summary)} |`,
  )
  const details = report.criteria.map((c) => {
    const evidence = c.evidence.map((e) => `- ${e.kind} \`${e.ref}\`: ${e.detail}`)
    const next = c.next.length === 0 ? [] : ['', 'Next:', '', '```sh', ...c.next, '```']
    return [
      `### ${ICON[c.status]} ${c.title}`,
      '',
      ...(evidence.length > 0 ? evidence : ['- no evidence yet']),
      ...next,
    ].join('\n')
  })
  return [
    '## firedrill grade',
    '',
    `**${verdictLine(report)}** · trunk \`${report.trunk}\` at \`${report.trunkCommit.slice(0, 12)}\` · ${report.rubric}`,
    '',
    '| | criterion | status | points | why |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    ...details.flatMap((d) => [d, '']),
  ].join('\n')
}
