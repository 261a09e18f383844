import type { TargetDrillContext } from './target-drill-context.ts'
import { targetFollowUp } from './target-follow-up.ts'

/** Whether the loop is tried: after any drill that was not aborted (it says itself why it does not run). */
export function loopMayFollow(drill: TargetDrillContext): boolean {
  return drill.abort === undefined
}

/**
 * The loop on the team's repository, after the flag is back: it enters the follow-up phase when it runs, or
 * the journal says why it was not run.
 */
export async function targetFollowUpPhase(drill: TargetDrillContext): Promise<void> {
  drill.loopClosed = await targetFollowUp({
    ...drill.options.loop,
    target: drill.target,
    loaded: drill.loaded,
    status: drill.status,
    runId: drill.runId,
    journal: drill.journal,
    outDir: drill.outDir,
    clock: drill.clock,
    say: drill.say,
    enter: drill.run.enter,
  })
}
