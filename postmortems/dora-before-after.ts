import { eventsFromJournals } from '../simulator/dora/dora-events.ts'
import { doraMetrics } from '../simulator/dora/dora-metrics.ts'
import { eventsOf, type JournalEvent } from '../simulator/journal/journal-event.ts'
import type { PostmortemDora } from './postmortem-schema.ts'

/**
 * The postmortem's DORA view from the journal alone, when the caller gathered none: `after` from this run's
 * journal (no git history), over the period up to its last event; `before` null, a first run, or, for a
 * `--again` run, its repeated run not measured (`reportRun` measures both, with each run's trunk history).
 */
export function doraFromJournal(events: readonly JournalEvent[], runId: string): PostmortemDora {
  const last = events.at(-1)
  const metrics = doraMetrics(eventsFromJournals([events]), {
    now: last === undefined ? 0 : Date.parse(last.at),
  })
  const againOf = eventsOf(events, 'drill.started')[0]?.data.againOf
  return {
    before: null,
    after: { runId, dir: null, metrics },
    beforeMissing:
      againOf === undefined ? { reason: 'first-run' } : { reason: 'not-measured', dir: againOf.dir },
  }
}
