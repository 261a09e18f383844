import { eventsOf } from '../record/journal/journal-event.ts'
import type { DrillFacts } from './drill-facts.ts'
import { formatMs, formatRatio } from './postmortem-format.ts'
import type { ChangePath, MistakeLog } from './postmortem-schema.ts'

/** What to check, and before which decision, for each kind of fault a scenario can release. */
const RETRIEVAL_CARDS: Record<string, string> = {
  'coupon-orders-fail':
    'Check how the new path handles coupon codes the catalog does not know before releasing a pricing change',
}

/**
 * The mistake log: the decision that let the defect through, what users saw, the root cause, the repair
 * evidence (the gate red on the replay of the bad change, green on the fix; null until the journal holds
 * `replay.gated` and `fix.merged`) and a one-line retrieval card. It speaks of systems and decisions.
 */
export function mistakeLogOf(facts: DrillFacts, change: ChangePath | null): MistakeLog {
  const { scenario, impact, timings } = facts
  const flag = scenario.change.flag
  const gateWords =
    change?.gate == null
      ? 'no gate result is recorded for it'
      : `the gate was ${change.gate.green ? 'green' : 'red'} on ${change.gate.commit.slice(0, 12)} (${change.gate.steps.map((s) => s.name).join(', ') || 'no steps'})`
  const firstFailure = eventsOf(facts.events, 'request.first-failure')[0]
  const replay = eventsOf(facts.events, 'replay.gated').at(-1)
  const fix = eventsOf(facts.events, 'fix.merged').at(-1)
  const symptom =
    impact.failedRequests === 0 && firstFailure === undefined
      ? `No failed request is recorded with ${flag} on.`
      : `${impact.failedRequests} of ${impact.requests} requests failed (${formatRatio(impact.errorRatio)})` +
        (firstFailure === undefined
          ? ''
          : `, the first on ${firstFailure.data.route} with ${firstFailure.data.status}`) +
        (timings.detectedAt === null
          ? '; no paging alert is recorded.'
          : `; a burn-rate alert paged ${formatMs(timings.mttdMs)} after the release.`)
  return {
    mistake:
      `The decision to release "${scenario.change.title}" behind ${flag} rested on a gate that never ran the new path with the flag on; ` +
      `${gateWords}.`,
    symptom,
    rootCause: `${scenario.change.description.trim()} No gate step exercised this path with ${flag} on, so the defect reached trunk.`,
    repairEvidence: {
      replay:
        replay === undefined
          ? null
          : { commit: replay.data.commit, green: replay.data.green, blockedBy: [...replay.data.blockedBy] },
      fix: fix === undefined ? null : { commit: fix.data.commit, green: fix.data.gate.green },
    },
    retrievalCard:
      RETRIEVAL_CARDS[scenario.change.fault.kind] ??
      `Check what ${flag}'s new path does with the inputs behind ${scenario.change.fault.kind} before releasing it`,
  }
}
