import { eventsOf } from '../record/journal/journal-event.ts'
import { describeInjection } from '../record/target/describe-proxy-fault.ts'
import type { DrillFacts } from './drill-facts.ts'
import { dependencyFaultOf, faultStoryOf } from './fault-story.ts'
import type { Lessons } from './lessons-shape.ts'
import { formatMs, formatPct, formatRatio, formatUtcTime } from './postmortem-format.ts'

/*
 * How a postmortem tells a drill that failed one of a target's dependencies behind firedrill's fault proxy: the
 * cause was the dependency (nothing of the team's changed); the mitigation was the team's degrade switch, or,
 * with none, the drill ended the fault because the team had no lever, and the first action item is to build one.
 */

function faultOf(facts: DrillFacts) {
  const fault = dependencyFaultOf(facts.scenario)
  if (fault === undefined) throw new Error("not a target's dependency fault")
  return { ...fault, name: fault.dependency ?? 'the dependency', how: describeInjection(fault.inject) }
}

/** The mitigation, when it was the degrade switch. */
function degraded(facts: DrillFacts) {
  const mitigated = facts.anchors.mitigated
  return mitigated?.type === 'mitigation.applied' && mitigated.data.action === 'degrade switch on'
    ? mitigated
    : undefined
}

/** The drill ended the fault itself: the team had no lever. */
function endedByDrill(facts: DrillFacts) {
  const mitigated = facts.anchors.mitigated
  return mitigated?.type === 'mitigation.applied' && mitigated.data.action === 'dependency fault ended'
    ? mitigated
    : undefined
}

/** When the fault began (the first step above 0 %), or null. */
function faultStart(facts: DrillFacts): string | null {
  const released = facts.anchors.released
  return released?.type === 'release.step' ? released.at : null
}

export function dependencySummary(facts: DrillFacts, impactWords: string): string {
  const { scenario, timings } = facts
  const fault = faultOf(facts)
  const start = faultStart(facts)
  const parts = [
    `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), calls from the service to its dependency ${fault.name} were ${fault.how} for a growing share of them${start === null ? '' : ` from ${formatUtcTime(start)}`}, by firedrill's fault proxy in front of ${fault.name}: a dependency's fault, not a change of ours (nothing was committed, built or deployed).`,
    impactWords,
  ]
  parts.push(
    timings.detectedAt === null
      ? 'No paging alert is recorded.'
      : `A burn-rate alert paged ${formatMs(timings.mttdMs)} after the fault began.`,
  )
  const switched = degraded(facts)
  const ended = endedByDrill(facts)
  if (switched !== undefined)
    parts.push(
      `${switched.data.by} turned the team's degrade switch ${fault.degradeSwitch} on, ${formatMs(timings.mttmMs)} after the page, and the service answered without ${fault.name}.`,
    )
  else if (ended !== undefined)
    parts.push(
      `The team had no degrade switch for ${fault.name}, so nothing the on-call could do helped; the drill ended the fault ${formatMs(timings.mttmMs)} after the page.`,
    )
  if (timings.recoveredAt !== null)
    parts.push(`Recovery was confirmed ${formatMs(timings.mttrMs)} after the fault began.`)
  if (facts.status === 'aborted') parts.push(`The drill was aborted: ${facts.aborted?.data.reason}.`)
  parts.push(`The cause was external: ${fault.name}.`)
  return parts.join(' ')
}

export function dependencyImpactStatement(facts: DrillFacts): string {
  const { impact, scenario } = facts
  const fault = faultOf(facts)
  const until =
    fault.degradeSwitch === undefined
      ? 'until the fault ended'
      : `until the degrade switch ${fault.degradeSwitch} was on`
  return (
    `While calls to ${fault.name} were ${fault.how}, ${until}, the service's requests that needed it failed. ` +
    `${impact.failedRequests} of ${impact.requests} synthetic requests failed over ${formatMs(impact.observedMs)} of traffic, ` +
    `${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget at a ${formatRatio(scenario.slo.objective)} objective.`
  )
}

export function dependencyRootCauses(facts: DrillFacts): string[] {
  const fault = faultOf(facts)
  const story = faultStoryOf(facts.scenario)
  const seen = eventsOf(facts.events, 'responder.diagnosed').at(-1)?.data.evidence.dependency
  return [
    `The cause was external: ${fault.name} was ${fault.how} for a growing share of calls (firedrill's fault proxy in front of it).${seen === undefined ? '' : ` Its proxy's health page said it ${seen.fault}.`} Nothing of ours changed before the burn: no commit, build or deploy, so there is no change of ours to find or undo.`,
    `What made it an incident was ours: ${story.decision}.`,
    story.gateGap,
  ]
}

export function dependencyTrigger(facts: DrillFacts): string {
  const fault = faultOf(facts)
  const start = faultStart(facts)
  const first = facts.anchors.firstError
  return (
    (start === null
      ? `The fault of ${fault.name} was not recorded as released in this run.`
      : `firedrill's fault proxy began to fault calls to ${fault.name} (${fault.how}) at ${formatUtcTime(start)}; no change of ours was released.`) +
    (first === null ? '' : ` The first request failed at ${formatUtcTime(first.at)}.`)
  )
}

export function dependencyResolution(facts: DrillFacts): string {
  const fault = faultOf(facts)
  const parts: string[] = []
  const switched = degraded(facts)
  const ended = endedByDrill(facts)
  if (switched !== undefined)
    parts.push(
      `${switched.data.by} turned the degrade switch ${fault.degradeSwitch} on at ${formatUtcTime(switched.at)}: the service stopped calling ${fault.name} and answered without it.`,
      `No flag of ours was turned off and nothing was rolled back: neither would have made ${fault.name} answer. The switch went back off once the fault was cleared.`,
    )
  else if (ended !== undefined)
    parts.push(
      `The team has no degrade switch for ${fault.name}: there was no lever, so the drill ended the fault at ${formatUtcTime(ended.at)}, as ${fault.name}'s owners recovering it would have.`,
    )
  else
    parts.push(
      fault.degradeSwitch === undefined
        ? 'No mitigation was recorded.'
        : `No mitigation was recorded: the degrade switch ${fault.degradeSwitch} was not turned on.`,
    )
  const recovered = facts.anchors.recovered
  parts.push(
    recovered?.type === 'recovery.confirmed'
      ? `Recovery was confirmed at ${formatUtcTime(recovered.at)} after ${recovered.data.consecutiveEvaluations} consecutive healthy evaluations${switched === undefined ? '' : `, with ${fault.name} still failing`}.`
      : 'Recovery was not confirmed in the journal.',
  )
  if (facts.aborted !== undefined)
    parts.push(`The drill's stop condition ended it: ${facts.aborted.data.reason}.`)
  return parts.join(' ')
}

export function dependencyLessons(facts: DrillFacts): Lessons {
  const { timings } = facts
  const fault = faultOf(facts)
  const story = faultStoryOf(facts.scenario)
  const wentWell: string[] = []
  const wentWrong: string[] = []
  if (timings.detectedAt !== null)
    wentWell.push(
      `The ${facts.detectingRule?.name ?? 'burn-rate'} alert paged ${formatMs(timings.mttdMs)} after ${fault.name}'s fault began.`,
    )
  else
    wentWrong.push(
      `No paging alert is recorded: the burn-rate rules did not turn ${fault.name}'s fault into a page.`,
    )
  const diagnosis = eventsOf(facts.events, 'responder.diagnosed').at(-1)
  if (diagnosis?.data.evidence.dependency !== undefined)
    wentWell.push(
      `The responder looked at ${fault.name}'s health before any flag, and took the cause for external.`,
    )
  const switched = degraded(facts)
  if (switched !== undefined)
    wentWell.push(
      `Turning the degrade switch ${fault.degradeSwitch} on mitigated${timings.mttmMs === null ? '' : `, ${formatMs(timings.mttmMs)} after the page`}, without a rollback or deploy.`,
    )
  else if (fault.degradeSwitch === undefined)
    wentWrong.push(
      `The team has no degrade switch for ${fault.name}: the on-call had no lever, and the service was down for as long as ${fault.name} was.`,
    )
  else wentWrong.push(`The degrade switch ${fault.degradeSwitch} was not turned on during the run.`)
  wentWrong.push(
    `The service could not degrade by itself: ${story.decision}.`,
    `Nothing alerted on ${fault.name} itself: the page came from the service's SLO burn, after its requests were already failing.`,
  )
  return { wentWell, wentWrong, gotLucky: [] }
}

/** With no degrade switch, the first thing to build is one; with one, the runbook should say when to turn it. */
export function dependencyActionItem(facts: DrillFacts): {
  title: string
  type: 'mitigate'
  priority: 'P0' | 'P1'
} {
  const fault = faultOf(facts)
  return fault.degradeSwitch === undefined
    ? {
        title: `Build a degrade switch for ${fault.name}: a flag that makes the service answer without it (cached or fixed answers), and name it in the target file's dependencies`,
        type: 'mitigate',
        priority: 'P0',
      }
    : {
        title: `Put turning the degrade switch ${fault.degradeSwitch} on in the page's runbook for when ${fault.name} fails`,
        type: 'mitigate',
        priority: 'P1',
      }
}
