import type { DrillContext } from './drill-context.ts'
import { DrillNotReadyError } from './drill-errors.ts'
import type { DrillOutcome, PlanReview, RunDrillOptions } from './drill-options.ts'
import { journalCheck } from './drill-phases.ts'
import { describePlan } from './drill-plan.ts'
import { untilAborted } from './drill-safety.ts'
import { type CheckResult, runPreflight } from './preflight.ts'

/**
 * The preflight phase: nothing has changed yet. Every check is journalled; a failed one ends the drill here
 * (`DrillNotReadyError`). Then, when the drill has a reviewer, nothing changes until the plan is approved: a
 * refusal (or an abort while waiting) ends the drill here too, and is the outcome returned. Undefined: go ahead.
 */
export async function preflightPhase(drill: DrillContext): Promise<DrillOutcome | undefined> {
  const { journal, run, options } = drill
  await run.enter('preflight')
  const checks = await runPreflight(drill.loaded, options.redisUrl)
  for (const c of checks) await journalCheck(journal, { ...c, message: c.message ?? 'failed' })
  const failed = checks.filter((c) => !c.ok)
  if (failed.length > 0) {
    await journal.append({ type: 'drill.aborted', data: { reason: 'preflight failed', condition: 'error' } })
    await journal.close()
    run.dispose()
    throw new DrillNotReadyError(failed.map((c) => ({ name: c.name, message: c.message ?? 'failed' })))
  }
  // The human review gate: nothing changes until the plan and preflight are approved.
  if (options.review === undefined) return undefined
  const refused = await reviewPlan(drill, options.review, checks)
  if (refused === null) return undefined
  // An abort while waiting is journalled already; a refusal is journalled here.
  if (run.aborted() === undefined)
    await journal.append({ type: 'drill.aborted', data: { reason: refused, condition: 'signal' } })
  else await run.abortJournalled()
  await journal.close()
  run.dispose()
  return {
    runId: drill.runId,
    outDir: drill.outDir,
    journal: drill.journalFile,
    status: 'aborted',
    loopClosed: false,
    flagClosedOut: false,
    abortReason: run.aborted()?.reason ?? refused,
  }
}

/** Asks for the review and journals it; the refusal's reason, or null when approved. */
async function reviewPlan(
  drill: DrillContext,
  review: NonNullable<RunDrillOptions['review']>,
  checks: readonly CheckResult[],
): Promise<string | null> {
  const { say, signal, journal, options } = drill
  say('waiting for the plan and preflight to be approved')
  let verdict: PlanReview
  try {
    verdict = await untilAborted(
      review(
        {
          text: describePlan(drill.loaded, checks, options.respondWith?.kind ?? drill.responderKind),
          checks,
        },
        signal,
      ),
      signal,
    )
  } catch {
    return drill.run.aborted()?.reason ?? 'the plan was not reviewed'
  }
  const reason = verdict.reason?.trim()
  await journal.append({
    type: 'plan.reviewed',
    data: { by: verdict.by, approved: verdict.approved, ...(reason ? { reason } : {}) },
  })
  if (verdict.approved) {
    say(`plan approved by ${verdict.by}`)
    return null
  }
  return `plan refused by ${verdict.by}: ${reason || 'no reason given'}`
}
