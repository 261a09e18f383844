import { performance } from 'node:perf_hooks'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import { CRITERIA, type CriterionId } from '../criteria.ts'
import { DEFAULT_RUBRIC, pointsOf, type Rubric } from '../rubric.ts'
import { judgeDarkRelease } from './criteria/dark-release.ts'
import { judgeDoraBeforeAfter } from './criteria/dora-before-after.ts'
import { judgeFlagHygiene } from './criteria/flag-hygiene.ts'
import { judgeGateBlocksRed } from './criteria/gate-blocks-red.ts'
import { judgeCfrGovernor, judgeFlagDebtGuard } from './criteria/gate-file-goals.ts'
import { judgeMistakeLog } from './criteria/mistake-log.ts'
import { judgePostmortemShipped } from './criteria/postmortem-shipped.ts'
import { judgeContractDrill, judgeTestStopsBadChange } from './criteria/replay-goals.ts'
import { type GradeContext, type GradeContextOptions, gradeContext } from './grade-context.ts'
import type { CriterionResult, GradeReport, Judgement } from './grade-result.ts'
import { RepoCopies } from './repo-copies.ts'

type Judge = (ctx: GradeContext, copies: RepoCopies) => Promise<Judgement>

/** Each criterion's judge: one small function per criterion, reading only the repository's evidence. */
const JUDGES: Record<CriterionId, Judge> = {
  'gate-blocks-red': judgeGateBlocksRed,
  'dark-release': judgeDarkRelease,
  'dora-before-after': judgeDoraBeforeAfter,
  'flag-hygiene': judgeFlagHygiene,
  'postmortem-shipped': judgePostmortemShipped,
  'flag-debt-guard': judgeFlagDebtGuard,
  'cfr-governor': judgeCfrGovernor,
  'test-stops-bad-change': judgeTestStopsBadChange,
  'contract-drill': judgeContractDrill,
  'mistake-log': judgeMistakeLog,
}

export interface GradeCapstoneOptions extends GradeContextOptions {
  rubric?: Rubric
  /** Where the rubric came from, for the report. @defaultValue 'default weights' */
  rubricSource?: string
}

/** A judge that could not finish (a gate that could not run, say) leaves its criterion not yet judged. */
async function judgeSafely(judge: Judge, ctx: GradeContext, copies: RepoCopies): Promise<Judgement> {
  try {
    return await judge(ctx, copies)
  } catch (err) {
    if (!isFiredrillError(err)) throw err
    return { status: 'not-yet', summary: `could not be judged: ${err.message}`, evidence: [], next: [] }
  }
}

/**
 * Grades a capstone repository: every criterion judged from the repository's own evidence, in the order of
 * `CRITERIA`, weighted by the rubric. Whatever needs writing (ledger reads, forced reds) happens in throwaway
 * copies, removed before this returns: the repository and its runs are left exactly as they were.
 */
export async function gradeCapstone(options: GradeCapstoneOptions): Promise<GradeReport> {
  const ctx = await gradeContext(options)
  const rubric = options.rubric ?? DEFAULT_RUBRIC
  const copies = new RepoCopies()
  const criteria: CriterionResult[] = []
  try {
    for (const criterion of CRITERIA) {
      ctx.progress(`grade: ${criterion.id}`)
      const started = performance.now()
      const judgement = await judgeSafely(JUDGES[criterion.id], ctx, copies)
      const maxPoints = pointsOf(rubric, criterion.id)
      criteria.push({
        id: criterion.id,
        kind: criterion.kind,
        title: criterion.title,
        ...judgement,
        points: judgement.status === 'pass' ? maxPoints : 0,
        maxPoints,
        durationMs: Math.round(performance.now() - started),
      })
    }
  } finally {
    await copies.removeAll()
  }
  return {
    repository: ctx.repo,
    trunk: ctx.trunk,
    trunkCommit: ctx.trunkCommit,
    runsDir: ctx.runsDir,
    rubric: options.rubricSource ?? 'default weights',
    gradedAt: ctx.now.toISOString(),
    criteria,
    passed: criteria.every((c) => c.kind !== 'acceptance' || c.status === 'pass'),
    points: criteria.reduce((sum, c) => sum + c.points, 0),
    maxPoints: criteria.reduce((sum, c) => sum + c.maxPoints, 0),
  }
}
