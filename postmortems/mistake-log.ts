import { eventsOf } from '../record/journal/journal-event.ts'
import { type DrillFacts, refusedByWords, repeatedRunWords } from './drill-facts.ts'
import { dependencyFaultOf, externalFaultOf, faultStoryOf } from './fault-story.ts'
import { formatMs, formatRatio } from './postmortem-format.ts'
import type { ChangePath, MistakeLog } from './postmortem-schema.ts'
import { describeHiddenImpact } from './slo-impact.ts'

/**
 * The mistake log: the decision that let the defect through, what users saw, the root cause, the repair
 * evidence (the gate red on the replay of the bad change, green on the fix; null until the journal holds
 * `replay.gated` and `fix.merged`) and a one-line retrieval card. It speaks of systems and decisions.
 */
export function mistakeLogOf(facts: DrillFacts, change: ChangePath | null): MistakeLog {
  const { scenario, impact, timings } = facts
  const flag = scenario.change.flag
  const story = faultStoryOf(scenario)
  const gateWords =
    change?.gate == null
      ? 'no gate result is recorded for it'
      : `the gate was ${change.gate.green ? 'green' : 'red'} on ${change.gate.commit.slice(0, 12)} (${change.gate.steps.map((s) => s.name).join(', ') || 'no steps'})`
  const firstFailure = eventsOf(facts.events, 'request.first-failure')[0]
  const replay = eventsOf(facts.events, 'replay.gated').at(-1)
  const fix = eventsOf(facts.events, 'fix.merged').at(-1)
  const notRun = eventsOf(facts.events, 'loop.not-run').at(-1)
  const evidence: MistakeLog['repairEvidence'] = {
    replay:
      replay === undefined
        ? null
        : { commit: replay.data.commit, green: replay.data.green, blockedBy: [...replay.data.blockedBy] },
    fix: fix === undefined ? null : { commit: fix.data.commit, green: fix.data.gate.green },
    ...(notRun === undefined ? {} : { notRun: notRun.data.reason }),
  }
  const hidden = describeHiddenImpact(facts.events)
  const dependency = dependencyFaultOf(scenario)
  if (externalFaultOf(scenario) !== undefined || dependency !== undefined) {
    // A dependency's fault: the mistake is the exposure to it, not a change.
    return {
      mistake:
        facts.status === 'prevented'
          ? `None this time: ${facts.againOf === undefined ? 'the shop' : `since ${repeatedRunWords(facts)}'s fix, the shop`} degrades by itself when the provider fails.`
          : `No change of ours caused this; the decision behind the exposure was ${story.decision}.`,
      symptom:
        facts.status === 'prevented'
          ? `None for customers: the provider's fault came back, and the same release caused no page (${impact.failedRequests} of ${impact.requests} requests failed).`
          : `${impact.failedRequests} of ${impact.requests} requests failed${dependency === undefined ? '; orders were accepted and then paid late' : ` while ${dependency.dependency ?? 'the dependency'} was faulted`}.` +
            (hidden === '' ? '' : ` ${hidden}`) +
            (timings.detectedAt === null
              ? ' No paging alert is recorded.'
              : ` A burn-rate alert paged ${formatMs(timings.mttdMs)} after the ${dependency === undefined ? "provider's" : "dependency's"} fault began.`),
      rootCause: `${scenario.change.description.trim()} ${story.gateGap}`,
      repairEvidence: { replay: null, fix: evidence.fix },
      retrievalCard: story.retrievalCard,
    }
  }
  if (facts.status === 'prevented') {
    const refused = facts.refused
    return {
      mistake:
        facts.againOf === undefined
          ? `The change "${scenario.change.title}" was written and committed resting on ${story.decision}; ${gateWords}.`
          : `The change "${scenario.change.title}" was written and committed again with the defect ${repeatedRunWords(facts)} shipped; ${gateWords}.`,
      symptom: `${facts.watchCaught !== undefined ? `For the post-deploy watch's window only: ${impact.failedRequests} of ${impact.requests} requests failed before it rolled production back on ${facts.watchCaught.breached.data.breaches.join(' and ')}.` : `None in production: ${facts.deployRefused !== undefined ? 'production refused the artifact its tag named' : facts.deployRolledBack !== undefined ? "production's rolling deploy rolled itself back when the new instance failed its health check" : `the gate refused the change (${refusedByWords(facts)})`}, and the same release on ${facts.deployRefused === undefined && facts.deployRolledBack === undefined ? 'trunk as it is' : 'production as it was'} failed ${impact.failedRequests} of ${impact.requests} requests.`}`,
      rootCause: scenario.change.description.trim(),
      // A repeat's refusal is the replay of the earlier run's bad change; a first refusal is not a replay.
      repairEvidence:
        facts.againOf === undefined || refused === undefined
          ? evidence
          : {
              replay: { commit: refused.data.commit, green: false, blockedBy: [...refused.data.blockedBy] },
              fix: null,
            },
      retrievalCard: story.retrievalCard,
    }
  }
  const symptom =
    impact.failedRequests === 0 && firstFailure === undefined
      ? `No failed request is recorded with ${flag === undefined ? 'the change deployed' : `${flag} on`}.` +
        (hidden === '' ? '' : ` ${hidden}`) +
        (hidden === '' || timings.detectedAt === null
          ? ''
          : ` A burn-rate alert paged ${formatMs(timings.mttdMs)} after the release.`)
      : `${impact.failedRequests} of ${impact.requests} requests failed (${formatRatio(impact.errorRatio)})` +
        (firstFailure === undefined
          ? ''
          : `, the first on ${firstFailure.data.route} with ${firstFailure.data.status}`) +
        (timings.detectedAt === null
          ? '; no paging alert is recorded.'
          : `; a burn-rate alert paged ${formatMs(timings.mttdMs)} after the release.`)
  return {
    mistake:
      (flag === undefined
        ? `The decision to ship "${scenario.change.title}" without a flag, so that deploying it released it, rested on ${story.decision}; `
        : `The decision to release "${scenario.change.title}" behind ${flag} rested on ${story.decision}; `) +
      `${gateWords}.`,
    symptom,
    rootCause: `${scenario.change.description.trim()} ${story.gateGap}`,
    repairEvidence: evidence,
    retrievalCard: story.retrievalCard,
  }
}
