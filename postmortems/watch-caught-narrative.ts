import { eventsOf } from '../record/journal/journal-event.ts'
import type { DrillFacts } from './drill-facts.ts'
import { faultStoryOf } from './fault-story.ts'
import { formatMs, formatPct, formatRatio, formatUtcTime } from './postmortem-format.ts'

/*
 * How a postmortem tells a near miss caught by the post-deploy watch: the deploy put users on the change, the watch
 * saw production breach its own baseline within its observation window, and rolled it back before anybody was
 * paged. The change did reach users, for the time between the deploy and the rollback; the figures say how long
 * and how many.
 */

type Caught = NonNullable<DrillFacts['watchCaught']>

function caughtOf(facts: DrillFacts): Caught {
  if (facts.watchCaught === undefined) throw new Error('not caught by the post-deploy watch')
  return facts.watchCaught
}

/** What breached, with the figures: `error ratio 19.08 % (33 of 173 requests) against 1.00 %`. */
export function breachWords(caught: Caught): string {
  const { data } = caught.breached
  return data.breaches
    .map((b) =>
      b === 'p95'
        ? `p95 latency of at least ${formatMs(data.p95Ms?.lowerMs ?? 0)} against a limit of ${formatMs(data.p95LimitMs ?? 0)} (the steady state's p95 of at most ${formatMs(data.baselineP95Ms?.upperMs ?? 0)} plus its headroom)`
        : `an error ratio of ${data.errorRatio === null ? 'n/a' : formatRatio(data.errorRatio)} (${data.errors} of ${data.requests} requests) against ${formatRatio(data.maxErrorRatio)}`,
    )
    .join(' and ')
}

/** How the deploy went out, as the strategy releases: `the blue-green switch`. */
function deployWords(facts: DrillFacts): string {
  const strategy = facts.scenario.release.strategy
  return strategy === 'blue-green'
    ? 'the blue-green switch to green'
    : strategy === 'instance-canary'
      ? "the instance canary's promotion"
      : 'the rolling deploy'
}

/** How long production ran the change: from the deploy's first release step until it answered from the build before. */
function exposureWords(facts: DrillFacts, caught: Caught): string {
  const released = facts.anchors.released
  if (released === null || caught.back === undefined) return ''
  const ms = Date.parse(caught.back.at) - Date.parse(released.at)
  return ` Users met the change for ${formatMs(ms)}, from the release at ${formatUtcTime(released.at)} until every instance taking traffic answered from the build before at ${formatUtcTime(caught.back.at)}.`
}

/** A page that came after the breach: the burn before the rollback was enough to fire an alert. */
function laterPageWords(facts: DrillFacts): string {
  const page = eventsOf(facts.events, 'page.sent')[0]
  if (page === undefined) return ' Nobody was paged.'
  const diagnosis = eventsOf(facts.events, 'responder.diagnosed').find(
    (d) => d.data.action.kind === 'already-rolled-back',
  )
  return ` The burn before the rollback still fired ${page.data.alert}, which paged ${page.data.to} at ${formatUtcTime(page.at)}, after the breach${diagnosis === undefined ? '' : `; ${diagnosis.data.by} found production already rolled back and rolled nothing back again`}.`
}

export function watchCaughtSummary(facts: DrillFacts, impactWords: string): string {
  const caught = caughtOf(facts)
  const { scenario } = facts
  return [
    `In a drill of scenario ${facts.scenarioName} (seed ${scenario.seed}), the change "${scenario.change.title}" passed the gate and staging, and ${deployWords(facts)} put users on it.`,
    `Then ${faultStoryOf(scenario).effect}.`,
    `The post-deploy watch saw ${breachWords(caught)} ${formatMs(caught.breached.data.sinceCompletedMs)} after the deploy completed, ${caught.breached.data.consecutive} evaluations in a row, and rolled production back${caught.back === undefined ? '' : `: it answered from the build before the change ${formatMs(caught.back.data.backMs)} after the breach`}.${exposureWords(facts, caught)}`,
    `The same workload then ran on production as it was: ${impactWords}`,
    'A near miss, caught at deploy time.',
  ].join(' ')
}

export function watchCaughtImpactStatement(facts: DrillFacts): string {
  const caught = caughtOf(facts)
  const { impact, scenario } = facts
  return (
    `The change reached users through ${deployWords(facts)} until the post-deploy watch rolled it back; ${faultStoryOf(scenario).effect}.${exposureWords(facts, caught)} ` +
    `${impact.failedRequests} of ${impact.requests} synthetic requests failed over ${formatMs(impact.observedMs)} of traffic, ${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget.`
  )
}

export function watchCaughtRootCauses(facts: DrillFacts): string[] {
  const { change } = facts.scenario
  return [
    `The change "${change.title}" carries a defect: ${change.description.trim()}`,
    `${faultStoryOf(facts.scenario).gateGap} Production's post-deploy watch compared the deploy with production's own steady state and rolled it back; no incident followed, so what is left is the near miss itself, which is what the action items address.`,
  ]
}

export function watchCaughtTrigger(facts: DrillFacts): string {
  const caught = caughtOf(facts)
  const started = caught.started
  return `${deployWords(facts).replace(/^the/, 'The')} of ${caught.breached.data.artifact.slice(0, 12)} completed${started === undefined ? '' : ` at ${formatUtcTime(started.at)}`}; the post-deploy watch began its window there and breached at ${formatUtcTime(caught.breached.at)}.`
}

export function watchCaughtDetection(facts: DrillFacts, slos: string): string {
  const caught = caughtOf(facts)
  const started = caught.started
  const baseline =
    started === undefined
      ? ''
      : ` Its baseline was production's steady state before the release (${started.data.baseline.requests} requests${started.data.baseline.errorRatio === null ? '' : `, error ratio ${formatRatio(started.data.baseline.errorRatio)}`}${started.data.baseline.p95Ms === null ? '' : `, p95 at most ${formatMs(started.data.baseline.p95Ms.upperMs ?? 0)}`}).`
  return `Caught at deploy time by the post-deploy watch: ${breachWords(caught)}, ${formatMs(caught.breached.data.sinceCompletedMs)} after the deploy completed.${baseline}${laterPageWords(facts)} ${slos}`
}

export function watchCaughtResolution(facts: DrillFacts): string {
  const caught = caughtOf(facts)
  const back = caught.back
  return back === undefined
    ? 'The post-deploy watch asked for the rollback, but the journal does not record production back on the build before the change.'
    : `The post-deploy watch rolled production back through the same rollback a person asks for (${back.data.by}): every instance taking traffic answered from ${back.data.to.slice(0, 12)} ${formatMs(back.data.backMs)} after the breach, ${formatMs(back.data.sinceCompletedMs)} after the deploy completed, and the steady state held after the same release.`
}
