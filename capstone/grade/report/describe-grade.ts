import type { GradeReport } from '../grade-result.ts'
import { criterionLabel, STATUS_WORD, verdictLine } from './grade-words.ts'

/** The grade for people: one block per criterion (status, points, why), its evidence, and what to run next. */
export function describeGrade(report: GradeReport): string[] {
  const idWidth = Math.max(...report.criteria.map((c) => c.id.length))
  const lines = [
    `capstone   ${report.repository} (trunk ${report.trunk} at ${report.trunkCommit.slice(0, 12)})`,
    `runs       ${report.runsDir}`,
    `rubric     ${report.rubric}`,
    '',
  ]
  for (const c of report.criteria) {
    const points = `${c.points}/${c.maxPoints}`.padStart(7)
    lines.push(
      `${criterionLabel(report, c).padEnd(8)} ${c.id.padEnd(idWidth)}  ${STATUS_WORD[c.status].padEnd(7)} ${points}  ${c.summary}`,
    )
    for (const e of c.evidence)
      lines.push(
        `${' '.repeat(11)}evidence: ${e.kind} ${e.kind === 'commit' || e.kind === 'record' ? e.ref.slice(0, 12) : e.ref}: ${e.detail}`,
      )
    for (const n of c.next) lines.push(`${' '.repeat(11)}next:     ${n}`)
  }
  lines.push('', verdictLine(report))
  return lines
}
