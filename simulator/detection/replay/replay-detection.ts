import type { Clock } from '../../../record/clock/clock.ts'
import { eventsOf, type JournalEvent, type JournalEventOf } from '../../../record/journal/journal-event.ts'
import { createBurnRateEvaluator } from '../create-burn-rate-evaluator.ts'
import type { SliSample } from '../sli-sample.ts'
import type { ReplayRuleSet } from './replay-rules-file.ts'

/** One rule on one SLO, replayed. Times are ISO; `afterReleaseMs` from the first release step. */
export interface ReplayedAlert {
  rule: string
  slo: string
  severity: string
  /** The first time it would have fired after the release (null: it would not have). */
  firstFiredAt: string | null
  afterReleaseMs: number | null
  /** How many times it would have started firing over the whole series. */
  firings: number
  /** …of which during the steady states, before the release and after the recovery: false alarms. */
  inSteadyState: { before: number; after: number }
}

export interface ReplayedRuleSet {
  name: string
  keepFiringForMs: number
  /** Null: evaluated at every scrape, as the drill did. */
  evaluationIntervalMs: number | null
  alerts: ReplayedAlert[]
}

export interface DetectionReplay {
  runId: string
  scenario: string
  /** The scrapes the drill journalled, and the time they span. */
  samples: number
  fromAt: string
  toAt: string
  releasedAt: string | null
  steadyStates: { when: 'before' | 'after'; fromAt: string; toAt: string }[]
  ruleSets: ReplayedRuleSet[]
}

/** The run's own rules, as it ran them (from `detection.started`). */
export function ruleSetAsRun(started: JournalEventOf<'detection.started'>): ReplayRuleSet {
  return {
    name: 'as run',
    rules: started.data.rules.map((r) => ({ ...r })),
    keepFiringForMs: started.data.keepFiringForMs,
    ...(started.data.evaluateOnScrape ? {} : { evaluationIntervalMs: started.data.evaluationIntervalMs }),
  }
}

/**
 * Replays a drill's journalled SLI series (`sli.sampled`) against rule sets: each rule on each SLO the drill
 * watched (its objective from `detection.started`), evaluated as the drill's detector evaluates (at every scrape,
 * or on a rule set's own interval), with its keep_firing_for. Says when each rule would first have fired after
 * the release and how often it would have started firing, in all and during the steady states.
 * `started` must be the run's `detection.started`; `events` the run's journal.
 */
export function replayDetection(
  events: readonly JournalEvent[],
  started: JournalEventOf<'detection.started'>,
  ruleSets: readonly ReplayRuleSet[],
): DetectionReplay {
  const samples = eventsOf(events, 'sli.sampled')
  const times = samples.map((s) => Date.parse(s.data.scrapedAt))
  const seriesOf = new Map<string, SliSample[]>(
    started.data.slos.map((slo) => [
      slo.name,
      samples.map((s, i) => ({ t: times[i]!, ...(s.data.slis[slo.name] ?? { total: 0, bad: 0 }) })),
    ]),
  )
  const release = eventsOf(events, 'release.step').find((e) => e.data.percent > 0)
  const releasedMs = release === undefined ? null : Date.parse(release.at)
  const steadyStates = steadyStateSpans(events)
  const first = times[0] ?? 0
  const last = times.at(-1) ?? first

  const replayed = ruleSets.map((set): ReplayedRuleSet => {
    const keepFiringForMs = set.keepFiringForMs ?? started.data.keepFiringForMs
    const evaluationIntervalMs = set.evaluationIntervalMs ?? null
    const at =
      evaluationIntervalMs === null
        ? times
        : Array.from(
            { length: Math.floor((last - first) / evaluationIntervalMs) + 1 },
            (_, k) => first + k * evaluationIntervalMs,
          )
    const alerts = started.data.slos.flatMap((slo) => {
      let now = first
      const clock: Clock = { now: () => now, sleep: async () => {} }
      const series = seriesOf.get(slo.name)!
      const evaluator = createBurnRateEvaluator({
        objective: slo.objective,
        rules: set.rules,
        evaluationIntervalMs: evaluationIntervalMs ?? started.data.scrapeIntervalMs,
        clock,
        source: { series: () => series.filter((s) => s.t <= now) },
        slo: slo.name,
        keepFiringForMs,
      })
      for (const t of at) {
        now = t
        evaluator.evaluate()
      }
      const firings = evaluator.events().filter((e) => e.type === 'firing')
      return set.rules.map((rule): ReplayedAlert => {
        const mine = firings.filter((e) => e.alert.rule.name === rule.name).map((e) => e.at)
        const firstAfter = releasedMs === null ? undefined : mine.find((t) => t >= releasedMs)
        const within = (when: 'before' | 'after') =>
          mine.filter((t) => steadyStates.some((s) => s.when === when && t >= s.fromMs && t <= s.toMs)).length
        return {
          rule: rule.name,
          slo: slo.name,
          severity: rule.severity,
          firstFiredAt: firstAfter === undefined ? null : new Date(firstAfter).toISOString(),
          afterReleaseMs: firstAfter === undefined || releasedMs === null ? null : firstAfter - releasedMs,
          firings: mine.length,
          inSteadyState: { before: within('before'), after: within('after') },
        }
      })
    })
    return { name: set.name, keepFiringForMs, evaluationIntervalMs, alerts }
  })

  const drill = eventsOf(events, 'drill.started')[0]
  return {
    runId: drill?.data.runId ?? 'unknown-run',
    scenario: drill?.data.scenario ?? 'unknown',
    samples: samples.length,
    fromAt: new Date(first).toISOString(),
    toAt: new Date(last).toISOString(),
    releasedAt: release?.at ?? null,
    steadyStates: steadyStates.map((s) => ({
      when: s.when,
      fromAt: new Date(s.fromMs).toISOString(),
      toAt: new Date(s.toMs).toISOString(),
    })),
    ruleSets: replayed,
  }
}

/** When the steady-state phases ran: from their `phase.entered` to the next phase's (or their check). */
function steadyStateSpans(events: readonly JournalEvent[]) {
  const phases = eventsOf(events, 'phase.entered')
  const spans: { when: 'before' | 'after'; fromMs: number; toMs: number }[] = []
  phases.forEach((phase, i) => {
    const when =
      phase.data.phase === 'steady-state-before'
        ? 'before'
        : phase.data.phase === 'steady-state-after'
          ? 'after'
          : null
    if (when === null) return
    const from = Date.parse(phase.at)
    const next = phases[i + 1]
    const check = eventsOf(events, 'steady-state.checked').find((c) => c.data.when === when)
    const to = next !== undefined ? Date.parse(next.at) : check !== undefined ? Date.parse(check.at) : from
    spans.push({ when, fromMs: from, toMs: to })
  })
  return spans
}
