import type { BurnRateRule } from '../simulator/detection/burn-rate-rule.ts'
import { theoreticalDetectionMs } from '../simulator/detection/theoretical-detection-ms.ts'
import { eventsOf, type JournalEvent } from '../simulator/journal/journal-event.ts'
import { scaleDuration } from '../simulator/scenario/duration.ts'
import type { ValidScenario } from '../simulator/scenario/parse-scenario.ts'
import { earliestCrossingMs, type WindowHistory } from './earliest-crossing.ts'

/** What one drill's journal says about its detection, and how fast detection could have been. */
export interface DrillDetectionFigures {
  rule: string
  /** The release step that was on when the alert fired (1-based), and its percent. */
  step: number
  percent: number
  releasedAt: number
  stepAt: number
  alertAt: number
  /** failed / requests of the traffic between that step and the alert. */
  errorRatio: number
  /** The firing rule's windows as they stood at the step. */
  long: WindowHistory
  short: WindowHistory
  /** Earliest alert after the step at `errorRatio`, given the windows' history, + one scrape + one evaluation. */
  theoreticalMs: number
  /** The same with the traffic before the step taken as clean (theoreticalDetectionMs with cleanHistoryMs). */
  theoreticalCleanHistoryMs: number
  /** A window full of clean traffic would give this (theoreticalDetectionMs as the workbook states it). */
  textbookMs: number
  /** Requests sent between the release (first step > 0%) and the alert, and how many failed. */
  requestsToDetect: number
  failedToDetect: number
}

interface Interval {
  mid: number
  requests: number
  failures: number
}

/**
 * Reads the figures from a drill's journal. Traffic intervals (250 ms) count toward a span by their midpoint.
 *
 * The drill's burn-rate windows hold data from the first scrape at traffic start, so at the step that fired
 * the alert a window W holds pre = min(W, traffic so far) of history, not a whole window of it: with the
 * scenario's 6h (90 s) window and ~15 s of traffic before the step, the window's ratio after t seconds of the
 * fault is e·t / (pre + t), not e·t / W, and it crosses far sooner than the workbook's θ·W/e. The earlier canary
 * steps' errors are in that history too (ratio r0), which brings the crossing sooner still. `earliestCrossingMs`
 * finds the exact earliest crossing of each window for that history; both windows must cross, so the later one
 * decides. `theoreticalDetectionMs` then turns it into a detection time: a clean window of length
 * E = e·tc/θ crosses at exactly tc (the crossing), so passing E as the rule's windows adds the one scrape and one evaluation
 * interval an alert needs, by the same definition the detection module uses. With r0 = 0 that is exactly
 * theoreticalDetectionMs with `cleanHistoryMs: pre` (reported too, as `theoreticalCleanHistoryMs`): the earlier canary
 * steps taken as clean, which over-states the minimum by the errors they already put in the window.
 *
 * It is a model, not a bound: it adds a whole scrape and evaluation interval (the worst alignment, where a run
 * averages about half of each) and assumes the ratio constant over the span, while coupon orders arrive at
 * random; so a run can come in slightly under it (a ratio a little below 1).
 */
export function drillDetectionFigures(events: readonly JournalEvent[], scenario: ValidScenario) {
  const at = (e: { at: string }) => Date.parse(e.at)
  const steps = eventsOf(events, 'release.step').filter((e) => e.data.percent > 0)
  const released = steps[0]
  const alert = eventsOf(events, 'alert.fired').find(
    (e) => e.data.severity === 'page' && released !== undefined && at(e) >= at(released),
  )
  if (released === undefined || alert === undefined) return null
  const alertAt = at(alert)
  const step = steps.filter((e) => at(e) <= alertAt).at(-1)!
  const stepAt = at(step)
  const spec = scenario.detection.rules.find((r) => r.name === alert.data.alert)
  if (spec === undefined) return null
  const rule: BurnRateRule = {
    name: spec.name,
    severity: spec.severity,
    longWindowMs: scaleDuration(spec.longWindow, scenario.timeScale),
    shortWindowMs: scaleDuration(spec.shortWindow, scenario.timeScale),
    burnRate: spec.burnRate,
  }
  const objective = scenario.slo.objective
  const threshold = rule.burnRate * (1 - objective)

  const intervals: Interval[] = eventsOf(events, 'traffic.interval').map((e) => ({
    mid: (Date.parse(e.data.from) + Date.parse(e.data.to)) / 2,
    requests: e.data.requests,
    failures: e.data.failures,
  }))
  const trafficStart = Math.min(...eventsOf(events, 'traffic.interval').map((e) => Date.parse(e.data.from)))
  const sum = (from: number, to: number) => {
    let requests = 0
    let failures = 0
    for (const i of intervals) {
      if (i.mid >= from && i.mid < to) {
        requests += i.requests
        failures += i.failures
      }
    }
    return { requests, failures, ratio: requests === 0 ? 0 : failures / requests }
  }
  const history = (windowMs: number): WindowHistory => ({
    windowMs,
    preMs: Math.max(0, stepAt - trafficStart),
    preErrorRatio: sum(stepAt - windowMs, stepAt).ratio,
  })
  const errorRatio = sum(stepAt, alertAt).ratio
  const long = history(rule.longWindowMs)
  const short = history(rule.shortWindowMs)
  const crossing = Math.max(
    earliestCrossingMs(long, errorRatio, threshold),
    earliestCrossingMs(short, errorRatio, threshold),
  )
  const intervalsOf = {
    objective,
    scrapeIntervalMs: scenario.detection.scrapeIntervalMs,
    evaluationIntervalMs: scenario.detection.evaluationIntervalMs,
  }
  const cleanEquivalentMs = (errorRatio * crossing) / threshold
  // A history already past the threshold (r0 > θ ≥ e) crosses at once; no clean window stands for that.
  const theoreticalMs =
    Number.isFinite(crossing) && errorRatio > threshold
      ? theoreticalDetectionMs({
          ...intervalsOf,
          errorRatio,
          rule: { ...rule, longWindowMs: cleanEquivalentMs, shortWindowMs: cleanEquivalentMs },
        })
      : crossing + intervalsOf.scrapeIntervalMs + intervalsOf.evaluationIntervalMs
  const textbookMs = theoreticalDetectionMs({ ...intervalsOf, errorRatio, rule })
  const theoreticalCleanHistoryMs = theoreticalDetectionMs({
    ...intervalsOf,
    errorRatio,
    rule,
    cleanHistoryMs: long.preMs,
  })
  const toDetect = sum(at(released), alertAt)
  const figures: DrillDetectionFigures = {
    rule: rule.name,
    step: step.data.step,
    percent: step.data.percent,
    releasedAt: at(released),
    stepAt,
    alertAt,
    errorRatio,
    long,
    short,
    theoreticalMs,
    theoreticalCleanHistoryMs,
    textbookMs,
    requestsToDetect: toDetect.requests,
    failedToDetect: toDetect.failures,
  }
  return figures
}
