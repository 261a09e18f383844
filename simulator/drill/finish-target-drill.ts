import type { DrillOutcome } from './drill-options.ts'
import { endDrill } from './finish-drill.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/**
 * The target drill's end, once cleanup (and any follow-up) is done: an abort is said, a drill that ran its
 * course is journalled as `drill.finished` with its outcome; the journal is closed. A target's release flag is the
 * team's to close out.
 */
export function finishTargetDrill(drill: TargetDrillContext): Promise<DrillOutcome> {
  return endDrill(drill, false)
}
