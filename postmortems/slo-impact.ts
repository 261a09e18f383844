import type { JournalEvent } from '../record/journal/journal-event.ts'
import { sloImpactsOf } from '../record/timings/slo-impacts.ts'
import { formatRatio } from './postmortem-format.ts'

/**
 * The impact HTTP answers cannot show, in words: each SLO other than availability that had bad events ("SLO
 * orders-paid (orders paid within 2 s …): 212 of 1,520 events bad (13.9 %)."). Empty when there is none.
 */
export function describeHiddenImpact(events: readonly JournalEvent[]): string {
  return sloImpactsOf(events)
    .filter((i) => i.sli !== 'availability' && i.bad > 0)
    .map(
      (i) =>
        `SLO ${i.slo} (${i.description}): ${i.bad} of ${i.total} events bad (${formatRatio(i.total === 0 ? 0 : i.bad / i.total)}).`,
    )
    .join(' ')
}
