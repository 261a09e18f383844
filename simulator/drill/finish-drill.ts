import type { DrillContext } from './drill-context.ts'
import type { DrillOutcome } from './drill-options.ts'

/**
 * The drill's end, once cleanup (and any follow-up) is done: an abort is said with what cleanup managed, a drill
 * that ran its course is journalled as `drill.finished` with its outcome; the journal is closed.
 */
export async function finishDrill(drill: DrillContext): Promise<DrillOutcome> {
  const { run, abort, journal } = drill
  run.dispose()
  if (abort !== undefined) {
    drill.say(
      `ABORTED: ${abort.reason}; ${drill.cleanup?.failed.length === 0 ? 'flags back to safe values, faults cleared, traffic stopped' : 'cleanup did what it could (see above)'}`,
    )
  } else {
    await journal.append({
      type: 'drill.finished',
      data: { outcome: drill.status, durationMs: drill.clock.now() - drill.startedAt },
    })
  }
  await journal.close()
  const aborted = run.aborted()
  return {
    runId: drill.runId,
    outDir: drill.outDir,
    journal: drill.journalFile,
    status: abort === undefined ? drill.status : 'aborted',
    loopClosed: drill.loopClosed,
    flagClosedOut: drill.flagClosedOut,
    ...(aborted === undefined ? {} : { abortReason: aborted.reason }),
  }
}
