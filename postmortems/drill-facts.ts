import type { JournalEvent, JournalEventOf } from '../record/journal/journal-event.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { scaleDuration } from '../record/scenario/duration.ts'
import type { ValidScenario } from '../record/scenario/parse-scenario.ts'
import type { BurnRateRule } from '../record/scenario/scenario-schema.ts'
import { deriveImpact, type Impact } from '../record/timings/derive-impact.ts'
import {
  deriveTimingAnchors,
  deriveTimings,
  type TimingAnchors,
  type Timings,
} from '../record/timings/derive-timings.ts'
import { theoreticalDetectionMs } from '../record/timings/theoretical-detection.ts'

export type DrillStatus = 'recovered' | 'not-recovered' | 'aborted' | 'crashed' | 'incomplete' | 'prevented'

/** What the journal says happened, gathered once for the postmortem's sections. */
export interface DrillFacts {
  events: readonly JournalEvent[]
  scenario: ValidScenario
  runId: string
  scenarioName: string
  status: DrillStatus
  started: JournalEventOf<'drill.started'> | undefined
  finished: JournalEventOf<'drill.finished'> | undefined
  aborted: JournalEventOf<'drill.aborted'> | undefined
  anchors: TimingAnchors
  timings: Timings
  impact: Impact
  /** The rule of the alert that detected the incident, from the scenario. */
  detectingRule: BurnRateRule | undefined
  /** Release percent in force when the alert fired (or the highest reached, without an alert). */
  exposurePctAtDetection: number
  highestReleasePct: number
  /**
   * Error ratio of the traffic as the detecting rule saw it when it fired: its short-window burn rate ×
   * (1 − objective), or the journal's traffic over the scaled short window when the alert lacks it.
   */
  errorRatioAtDetection: number | null
  /** The workbook's detection time at that ratio given the clean traffic the windows held before the release, in wall-clock ms: the fastest the rule could fire. */
  theoreticalDetectionMs: number | null
  steadyBefore: JournalEventOf<'steady-state.checked'> | undefined
  steadyAfter: JournalEventOf<'steady-state.checked'> | undefined
  failedChecks: JournalEventOf<'check.failed'>[]
  /** The change merged and a release step turned its flag on for some traffic: it reached users. */
  changeReachedUsers: boolean
  /** The gate refused the change (a `--again` run on the fixed trunk): it never merged. */
  refused: JournalEventOf<'change.refused'> | undefined
  /** Production refused the artifact its tag named (not the one staging verified): the change never deployed. */
  deployRefused: JournalEventOf<'deploy.refused'> | undefined
  /** Production's rolling deploy failed its health check and rolled itself back: nothing was released. */
  deployRolledBack: JournalEventOf<'deploy.rolled-back'> | undefined
  /**
   * The post-deploy watch breached before anybody was paged and rolled production back: the change reached users
   * for the watch's window, and was caught at deploy time. `back`: production answering from the build before.
   */
  watchCaught:
    | {
        started: JournalEventOf<'deploy.watch.started'> | undefined
        breached: JournalEventOf<'deploy.watch.breached'>
        back: JournalEventOf<'deploy.watch.rolled-back'> | undefined
      }
    | undefined
  /** The run a `--again` run repeats. */
  againOf: { runId: string; dir: string } | undefined
}

/** The run a `--again` run repeats, in words: `run <id>`. */
export function repeatedRunWords(facts: Pick<DrillFacts, 'againOf'>): string {
  return facts.againOf === undefined ? 'an earlier run' : `run ${facts.againOf.runId}`
}

/** The gate steps that refused the change, in words: `unit-tests, flag-debt`. */
export function refusedByWords(
  facts: Pick<DrillFacts, 'refused' | 'deployRefused'> &
    Partial<Pick<DrillFacts, 'deployRolledBack' | 'watchCaught'>>,
): string {
  if (facts.refused === undefined && facts.watchCaught !== undefined) return 'the post-deploy watch'
  if (facts.refused === undefined && facts.deployRefused !== undefined) return 'deploy verification'
  if (facts.refused === undefined && facts.deployRolledBack !== undefined) return "the deploy's health check"
  return facts.refused?.data.blockedBy.join(', ') || 'the gate'
}

export function gatherDrillFacts(
  events: readonly JournalEvent[],
  scenario: ValidScenario,
  names: { runId?: string; scenarioName?: string } = {},
): DrillFacts {
  const started = eventsOf(events, 'drill.started')[0]
  const finished = eventsOf(events, 'drill.finished')[0]
  const aborted = eventsOf(events, 'drill.aborted')[0]
  const anchors = deriveTimingAnchors(events)
  const timings = deriveTimings(events)
  const windowMs = scaleDuration(scenario.slo.window, scenario.timeScale)
  const impact = deriveImpact(events, { objective: scenario.slo.objective, windowMs })
  const status: DrillStatus =
    aborted !== undefined
      ? aborted.data.condition === 'crashed'
        ? 'crashed'
        : 'aborted'
      : finished?.data.outcome === 'prevented' || (finished === undefined && preventedSoFar(events))
        ? 'prevented'
        : anchors.recovered !== null
          ? 'recovered'
          : finished === undefined
            ? 'incomplete'
            : 'not-recovered'

  const steps = eventsOf(events, 'release.step')
  const detectedMs = anchors.detected === null ? null : Date.parse(anchors.detected.at)
  const stepsBeforeDetection = steps.filter((s) => detectedMs === null || Date.parse(s.at) <= detectedMs)
  const highestReleasePct = Math.max(0, ...steps.map((s) => s.data.percent))
  const exposurePctAtDetection = Math.max(0, ...stepsBeforeDetection.map((s) => s.data.percent))

  const alert = anchors.detected?.type === 'alert.fired' ? anchors.detected : undefined
  const detectingRule = scenario.detection.rules.find((r) => r.name === alert?.data.alert)
  const errorRatioAtDetection =
    alert === undefined ? null : ratioAtDetection(events, scenario, alert, detectingRule, windowMs)
  const theoretical =
    detectingRule === undefined || errorRatioAtDetection === null
      ? null
      : theoreticalDetectionMs({
          longWindowMs: scaleDuration(detectingRule.longWindow, scenario.timeScale),
          shortWindowMs: scaleDuration(detectingRule.shortWindow, scenario.timeScale),
          burnRate: detectingRule.burnRate,
          objective: scenario.slo.objective,
          errorRatio: errorRatioAtDetection,
          ...cleanHistory(events, anchors.released),
        })
  const checks = eventsOf(events, 'steady-state.checked')
  return {
    events,
    scenario,
    runId: names.runId ?? started?.data.runId ?? 'unknown-run',
    scenarioName: names.scenarioName ?? started?.data.scenario ?? 'unnamed',
    status,
    started,
    finished,
    aborted,
    anchors,
    timings,
    impact,
    detectingRule,
    exposurePctAtDetection,
    highestReleasePct,
    errorRatioAtDetection,
    theoreticalDetectionMs: theoretical,
    steadyBefore: checks.find((c) => c.data.when === 'before'),
    steadyAfter: checks.find((c) => c.data.when === 'after'),
    failedChecks: eventsOf(events, 'check.failed'),
    changeReachedUsers:
      eventsOf(events, 'change.refused').length === 0 &&
      eventsOf(events, 'deploy.refused').length === 0 &&
      eventsOf(events, 'deploy.rolled-back').length === 0 &&
      steps.some((s) => s.data.percent > 0),
    refused: eventsOf(events, 'change.refused')[0],
    deployRefused: eventsOf(events, 'deploy.refused')[0],
    deployRolledBack: eventsOf(events, 'deploy.rolled-back')[0],
    watchCaught: watchCaughtOf(events, status),
    againOf: started?.data.againOf,
  }
}

function ratioAtDetection(
  events: readonly JournalEvent[],
  scenario: ValidScenario,
  alert: JournalEventOf<'alert.fired'>,
  rule: BurnRateRule | undefined,
  windowMs: number,
): number | null {
  const fromBurn = alert.data.burnRates.short * (1 - scenario.slo.objective)
  if (Number.isFinite(fromBurn) && fromBurn > 0) return Math.min(1, fromBurn)
  if (rule === undefined) return null
  const at = Date.parse(alert.at)
  const recent = deriveImpact(
    events,
    { objective: scenario.slo.objective, windowMs },
    { fromMs: at - scaleDuration(rule.shortWindow, scenario.timeScale), toMs: at },
  )
  return recent.requests > 0 ? recent.errorRatio : null
}

/** How long traffic ran before the release: the clean history the alert's windows held when errors began. */
function cleanHistory(
  events: readonly JournalEvent[],
  released: JournalEvent | null,
): { cleanHistoryMs?: number } {
  const started = eventsOf(events, 'traffic.started')[0]
  if (started === undefined || released === null) return {}
  return { cleanHistoryMs: Math.max(0, Date.parse(released.at) - Date.parse(started.at)) }
}

/**
 * Before its finish is journalled (while its follow-up runs), a drill whose change the gate (or production's
 * deploy verification) refused and whose
 * steady state then held after the release is already a near miss: the follow-up numbers the same items.
 */
function preventedSoFar(events: readonly JournalEvent[]): boolean {
  return (
    eventsOf(events, 'change.refused').length +
      eventsOf(events, 'deploy.refused').length +
      eventsOf(events, 'deploy.rolled-back').length +
      // A watch's rollback nobody had to respond to (after a page, it is the incident's mitigation).
      (eventsOf(events, 'mitigation.applied').length === 0
        ? eventsOf(events, 'deploy.watch.breached').length
        : 0) >
      0 && eventsOf(events, 'steady-state.checked').some((e) => e.data.when === 'after' && e.data.ok)
  )
}

/** The post-deploy watch's catch, when the drill was a near miss by it (see `DrillFacts.watchCaught`). */
function watchCaughtOf(events: readonly JournalEvent[], status: DrillStatus): DrillFacts['watchCaught'] {
  const breached = eventsOf(events, 'deploy.watch.breached')[0]
  if (status !== 'prevented' || breached === undefined) return undefined
  return {
    started: eventsOf(events, 'deploy.watch.started')[0],
    breached,
    back: eventsOf(events, 'deploy.watch.rolled-back')[0],
  }
}
