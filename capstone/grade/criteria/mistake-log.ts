import { git } from '../../../record/git/git.ts'
import { MISTAKE_LOG_COLUMNS, MISTAKE_LOG_FILE } from '../../init/mistake-log-template.ts'
import type { GradeContext } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'

export interface MistakeRow {
  line: number
  cells: string[]
}

/** The rows of the mistake log's table (the header and its separator left out), each with its cells. */
export function mistakeRows(text: string): MistakeRow[] {
  const rows: MistakeRow[] = []
  const lines = text.split('\n')
  let inTable = false
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (!line.startsWith('|')) {
      inTable = false
      return
    }
    const cells = line
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim())
    if (!inTable) {
      inTable = cells.map((c) => c.toLowerCase()).join('|') === MISTAKE_LOG_COLUMNS.join('|')
      return
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) return
    rows.push({ line: i + 1, cells })
  })
  return rows
}

const COMMIT = /\b[0-9a-f]{7,40}\b/g

async function isCommit(repos: readonly string[], id: string): Promise<boolean> {
  for (const repo of repos)
    if (
      await git(repo, ['cat-file', '-e', `${id}^{commit}`]).then(
        () => true,
        () => false,
      )
    )
      return true
  return false
}

/**
 * Stretch: the mistake log's completion standard, on trunk's MISTAKES.md: at least five real mistakes (every
 * column filled, a date), two of them with a counterexample or failing test linked to a commit of the capstone
 * or a drill, one correction that changes code (a linked commit), a command or a design decision.
 */
export async function judgeMistakeLog(ctx: GradeContext): Promise<Judgement> {
  const next = [`edit ${MISTAKE_LOG_FILE}: one row per real mistake, repair evidence linking its commit`]
  const text = await git(ctx.repo, ['show', `${ctx.trunkCommit}:${MISTAKE_LOG_FILE}`]).catch(() => null)
  if (text === null) return notYet(`${MISTAKE_LOG_FILE} is not on trunk`, [], next)
  const repos = [ctx.repo, ...ctx.runs.flatMap((r) => (r.sandbox === null ? [] : [r.sandbox]))]
  const real = mistakeRows(text).filter(
    (r) =>
      r.cells.length === MISTAKE_LOG_COLUMNS.length &&
      r.cells.every((c) => c !== '') &&
      /^\d{4}-\d{2}-\d{2}$/.test(r.cells[0]!),
  )
  const withTest: MistakeRow[] = []
  const corrections: MistakeRow[] = []
  for (const row of real) {
    const evidence = row.cells[4]!
    const commits = []
    for (const id of evidence.match(COMMIT) ?? []) if (await isCommit(repos, id)) commits.push(id)
    if (commits.length > 0 && /\b(test|tests|counterexample)\b/i.test(evidence)) withTest.push(row)
    if (commits.length > 0 || /\b(command|design):/i.test(evidence)) corrections.push(row)
  }
  const evidence: Evidence[] = [
    { kind: 'file', ref: MISTAKE_LOG_FILE, detail: `${real.length} mistake(s) with every column filled` },
    {
      kind: 'file',
      ref: MISTAKE_LOG_FILE,
      detail: `${withTest.length} with a failing test or counterexample linked to a commit (lines ${withTest.map((r) => r.line).join(', ') || 'none'})`,
    },
    {
      kind: 'file',
      ref: MISTAKE_LOG_FILE,
      detail: `${corrections.length} correction(s) changing code, a command or a design decision`,
    },
  ]
  if (real.length >= 5 && withTest.length >= 2 && corrections.length >= 1)
    return pass('the mistake log meets its completion standard', evidence)
  return notYet(
    'the mistake log does not meet its completion standard yet (5 mistakes, 2 with tests, 1 correction)',
    evidence,
    next,
  )
}
