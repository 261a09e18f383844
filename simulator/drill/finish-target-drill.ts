import type { DrillOutcome } from './drill-options.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/**
 * The target drill's end, once cleanup (and any follow-up) is done: an abort is said, a drill that ran its
 * course is journalled as `drill.finished` with its outcome; the journal is closed.
 */
export async function finishTargetDrill(drill: TargetDrillContext): Promise<DrillOutcome> {
  const { run, abort, journal } = drill
  run.dispose()
  if (abort !== undefined) drill.say(`ABORTED: ${abort.reason}`)
  else
    await journal.append({
      type: 'drill.finished',
      data: { outcome: drill.status, durationMs: drill.clock.now() - drill.startedAt },
    })
  await journal.close()
  const aborted = run.aborted()
  return {
    runId: drill.runId,
    outDir: drill.outDir,
    journal: drill.journalFile,
    status: abort === undefined ? drill.status : 'aborted',
    loopClosed: drill.loopClosed,
    flagClosedOut: false,
    ...(aborted === undefined ? {} : { abortReason: aborted.reason }),
  }
}
