import { eventsOf } from '../record/journal/journal-event.ts'
import { describeFaultMode } from '../services/payments/provider-status.ts'
import { type DrillFacts, repeatedRunWords } from './drill-facts.ts'
import { externalFaultOf, faultStoryOf } from './fault-story.ts'
import { formatMs, formatPct, formatRatio, formatUtcTime } from './postmortem-format.ts'
import { describeHiddenImpact } from './slo-impact.ts'

/*
 * How a postmortem tells an incident whose cause was external: a dependency (the payment provider) failed and
 * nothing of ours changed. It names the provider as the cause, the degrade switch as the mitigation, and what
 * the responder set aside (a flag turned on just before is a coincidence), never a change or a rollback.
 */

function faultOf(facts: DrillFacts) {
  const fault = externalFaultOf(facts.scenario)
  if (fault === undefined) throw new Error('not a dependency fault')
  return fault
}

/** When the provider's fault began (the first release step above 0 %), or null. */
function faultStart(facts: DrillFacts): string | null {
  const released = facts.anchors.released
  return released !== null && released.type === 'release.step' ? released.at : null
}

/** What the provider's status page said when the responder read it, in words; '' when nobody read it. */
function statusPageWords(facts: DrillFacts): string {
  const seen = eventsOf(facts.events, 'responder.diagnosed').at(-1)?.data.evidence.provider
  if (seen === undefined) return ''
  return ` Its status page said ${seen.status}${seen.since === null ? '' : ` from ${formatUtcTime(seen.since)}`} ("${seen.summary}").`
}

/** The flags the responder set aside, with who turned them: `checkout.gift-messages (on by storefront-team)`. */
function setAsideWords(facts: DrillFacts): string {
  const diagnosis = eventsOf(facts.events, 'responder.diagnosed').at(-1)
  if (diagnosis === undefined || diagnosis.data.setAside.length === 0) return ''
  const flags = diagnosis.data.setAside.map((s) => {
    const change = diagnosis.data.evidence.flagChanges.find((c) => c.flag === s.flag)
    return change === undefined ? s.flag : `${s.flag} (turned ${change.to} by ${change.actor})`
  })
  return flags.join(', ')
}

function degradeMitigation(facts: DrillFacts) {
  const mitigated = facts.anchors.mitigated
  return mitigated?.type === 'mitigation.applied' && mitigated.data.action === 'degrade switch on'
    ? mitigated
    : undefined
}

export function externalSummary(facts: DrillFacts, impactWords: string): string {
  const { scenario, timings } = facts
  const fault = faultOf(facts)
  const what = describeFaultMode(fault.provider)
  const start = faultStart(facts)
  const from = start === null ? '' : ` from ${formatUtcTime(start)}`
  if (facts.status === 'prevented')
    return [
      facts.againOf === undefined
        ? `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the payment provider ${what}${from}.`
        : `A repeat of ${repeatedRunWords(facts)} (scenario ${facts.scenarioName}, seed ${scenario.seed}) on the trunk that run's follow-up left: the payment provider ${what} again${from}.`,
      `Nothing of ours changed, and ${facts.againOf === undefined ? '' : 'this time '}nobody was paged: the fulfilment workers no longer wait on a provider that slows or fails, they defer its charges by themselves.`,
      impactWords,
      'A dependency failed; the shop did not.',
    ].join(' ')
  const parts = [
    `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the payment provider ${what}${from}: a dependency's fault, not a change of ours (nothing was committed, built or deployed).`,
    `The fulfilment workers charge every order through it in line, so orders were accepted with HTTP 201 and then not paid within the deadline.`,
    impactWords,
  ]
  if (timings.detectedAt !== null)
    parts.push(`A burn-rate alert paged ${formatMs(timings.mttdMs)} after the provider's fault began.`)
  else parts.push('No paging alert is recorded.')
  const degraded = degradeMitigation(facts)
  const setAside = setAsideWords(facts)
  if (degraded !== undefined)
    parts.push(
      `${degraded.data.by} turned the degrade switch ${fault.degradeSwitch} on${setAside === '' ? '' : `, having set aside ${setAside}, the last flag turned on before the burn and a coincidence`}; it took effect (the workers deferring orders) ${formatMs(timings.mttmMs)} after the page.`,
    )
  else if (facts.anchors.mitigated !== null)
    parts.push('The incident was mitigated some other way (see Resolution).')
  if (timings.recoveredAt !== null)
    parts.push(`Recovery was confirmed ${formatMs(timings.mttrMs)} after the provider's fault began.`)
  if (facts.status === 'aborted') parts.push(`The drill was aborted: ${facts.aborted?.data.reason}.`)
  parts.push('The cause was external: the payment provider.')
  return parts.join(' ')
}

export function externalImpactStatement(facts: DrillFacts): string {
  const { impact, scenario } = facts
  const fault = faultOf(facts)
  const hidden = describeHiddenImpact(facts.events)
  const held =
    facts.status === 'prevented'
      ? `While the payment provider ${describeFaultMode(fault.provider)}, the shop deferred charges by itself.`
      : `While the payment provider ${describeFaultMode(fault.provider)} and until the degrade switch ${fault.degradeSwitch} was on, orders were accepted and then paid late or not at all; checkout itself kept answering.`
  return (
    `${held} ${impact.failedRequests} of ${impact.requests} synthetic requests failed over ${formatMs(impact.observedMs)} of traffic, ` +
    `${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget at a ${formatRatio(scenario.slo.objective)} objective.` +
    (hidden === '' ? '' : ` ${hidden}`) +
    (facts.status === 'prevented'
      ? ''
      : ' Orders accepted with their charge deferred are charged once the switch is off again: deferred, not lost.')
  )
}

export function externalRootCauses(facts: DrillFacts): string[] {
  const fault = faultOf(facts)
  const story = faultStoryOf(facts.scenario)
  const cause = `The cause was external: the payment provider ${describeFaultMode(fault.provider)}.${statusPageWords(facts)} Nothing of ours changed before the burn: no commit, build or deploy, so there is no change of ours to find or undo.`
  if (facts.status === 'prevented')
    return [
      cause,
      `${facts.againOf === undefined ? 'On this trunk' : `Since ${repeatedRunWords(facts)}'s follow-up`}, the fulfilment workers stop calling a provider that slows or fails and defer its charges by themselves (a circuit breaker): the same fault no longer burned the fulfilment SLO.`,
    ]
  return [cause, `What made it an incident was ours: ${story.decision}.`, `${story.gateGap}`]
}

export function externalTrigger(facts: DrillFacts): string {
  const fault = faultOf(facts)
  const start = faultStart(facts)
  const decoys = eventsOf(facts.events, 'decoy.applied').filter(
    (d) => start !== null && Date.parse(d.at) <= Date.parse(start),
  )
  const first = facts.anchors.firstError
  return (
    (start === null
      ? "The provider's fault was not recorded as released in this run."
      : `The payment provider began to ${describeFaultMode(fault.provider)
          .replace(/^answers/, 'answer')
          .replace(/^records/, 'record')} at ${formatUtcTime(start)}; no change of ours was released.`) +
    decoys
      .map(
        (d) =>
          ` ${formatMs(Date.parse(start!) - Date.parse(d.at))} before, ${d.data.actor} had turned ${d.data.flag} ${d.data.to} (${d.data.reason}): unrelated, a coincidence in time.`,
      )
      .join('') +
    (first === null ? '' : ` The first request failed at ${formatUtcTime(first.at)}.`)
  )
}

export function externalResolution(facts: DrillFacts): string {
  const fault = faultOf(facts)
  if (facts.status === 'prevented')
    return `Nothing to mitigate and nobody paged: the workers deferred charges by themselves while the provider was slow, and the steady state held with the provider still degraded. ${fault.degradeSwitch} was not needed.`
  const parts: string[] = []
  const degraded = degradeMitigation(facts)
  if (degraded !== undefined)
    parts.push(
      `${degraded.data.by} turned the degrade switch ${fault.degradeSwitch} on, and from ${formatUtcTime(degraded.at)} the workers deferred orders by it: they stopped calling the payment provider and accepted each order with its charge deferred, to be charged once the switch is off again.`,
      'No flag of ours was turned off and nothing was rolled back: neither would have made the provider answer.',
    )
  else if (facts.anchors.mitigated?.type === 'mitigation.applied')
    parts.push(
      `${facts.anchors.mitigated.data.by} applied ${facts.anchors.mitigated.data.action} at ${formatUtcTime(facts.anchors.mitigated.at)}; the degrade switch ${fault.degradeSwitch} was not turned on.`,
    )
  else parts.push(`No mitigation was recorded: the degrade switch ${fault.degradeSwitch} was not turned on.`)
  const recovered = facts.anchors.recovered
  parts.push(
    recovered !== null && recovered.type === 'recovery.confirmed'
      ? `Recovery was confirmed at ${formatUtcTime(recovered.at)} after ${recovered.data.consecutiveEvaluations} consecutive healthy evaluations, with the provider still degraded.`
      : 'Recovery was not confirmed in the journal.',
  )
  if (facts.aborted !== undefined)
    parts.push(`The drill's stop condition ended it: ${facts.aborted.data.reason}.`)
  return parts.join(' ')
}
