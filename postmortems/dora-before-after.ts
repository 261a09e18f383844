import { eventsFromJournals } from '../record/dora/dora-events.ts'
import { doraMetrics } from '../record/dora/dora-metrics.ts'
import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import type { PostmortemDora } from './postmortem-schema.ts'

/**
 * The postmortem's DORA view from the journal alone, when the caller gathered none: this run's side from its
 * journal (no git history), over the period up to its last event; the other side null: a first run's after is
 * still to come, and a `--again` run's repeated run was not measured (`reportRun` measures both, with each
 * run's trunk history).
 */
export function doraFromJournal(events: readonly JournalEvent[], runId: string): PostmortemDora {
  const last = events.at(-1)
  const metrics = doraMetrics(eventsFromJournals([events]), {
    now: last === undefined ? 0 : Date.parse(last.at),
  })
  const started = eventsOf(events, 'drill.started')[0]?.data
  const againOf = started?.againOf
  const side = { runId, dir: null, metrics }
  return againOf === undefined
    ? { thisRun: 'before', before: side, after: null, missing: firstRunMissing(started) }
    : { thisRun: 'after', before: null, after: side, missing: { reason: 'not-measured', dir: againOf.dir } }
}

/** What a first run's missing after is: a `--again` run to come, or none for a drill on a target. */
export function firstRunMissing(started: { target?: unknown } | undefined): {
  reason: 'no-again-run' | 'target-run'
} {
  return { reason: started?.target === undefined ? 'no-again-run' : 'target-run' }
}
