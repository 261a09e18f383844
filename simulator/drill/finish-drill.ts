import type { Clock } from '../../record/clock/clock.ts'
import type { DrillContext } from './drill-context.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillOutcome } from './drill-options.ts'
import type { DrillAborted, DrillRunControl } from './drill-run-control.ts'

/** What ending a drill needs of it: the built-in drill's context and a target drill's alike. */
export interface EndingDrill {
  readonly run: DrillRunControl
  readonly journal: DrillJournal
  readonly clock: Clock
  readonly startedAt: number
  readonly runId: string
  readonly outDir: string
  readonly journalFile: string
  readonly say: (line: string) => void
  readonly status: Exclude<DrillOutcome['status'], 'aborted'>
  readonly loopClosed: boolean
  readonly abort?: DrillAborted
}

/**
 * A drill's end, once cleanup (and any follow-up) is done: an abort is said (`ABORTED: reason`, then what
 * `afterAbort` adds), a drill that ran its course is journalled as `drill.finished` with its outcome; the journal
 * is closed.
 */
export async function endDrill(
  drill: EndingDrill,
  flagClosedOut: boolean,
  afterAbort = '',
): Promise<DrillOutcome> {
  const { run, abort, journal } = drill
  run.dispose()
  if (abort !== undefined) drill.say(`ABORTED: ${abort.reason}${afterAbort}`)
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
    flagClosedOut,
    ...(aborted === undefined ? {} : { abortReason: aborted.reason }),
  }
}

/** The built-in drill's end: an abort is said with what cleanup managed. */
export function finishDrill(drill: DrillContext): Promise<DrillOutcome> {
  return endDrill(
    drill,
    drill.flagClosedOut,
    `; ${drill.cleanup?.failed.length === 0 ? 'flags back to safe values, faults cleared, traffic stopped' : 'cleanup did what it could (see above)'}`,
  )
}
