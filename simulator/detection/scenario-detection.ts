import { parseDuration, scaleDuration } from '../../record/scenario/duration.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import type { BurnRateRule } from '../../record/timings/burn-rate-rule.ts'
import { SHOP_SLI_METRICS, type SliMetricNames, sloOn } from './shop-slis.ts'
import type { Slo } from './sli-definition.ts'

/** A burn-rate rule as the scenario states it (windows in scenario time) and as the drill runs it (wall-clock ms). */
export interface ScaledRule extends BurnRateRule {
  longWindow: string
  shortWindow: string
}

/** Everything detection needs from a scenario, in wall-clock milliseconds. */
export interface DetectionSettings {
  slos: Slo[]
  rules: ScaledRule[]
  scrapeIntervalMs: number
  evaluationIntervalMs: number
  evaluateOnScrape: boolean
  keepFiringForMs: number
  grouping: { groupBy: string[]; groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number }
  pageSeverities: string[]
}

/** The scenario's SLOs on the given metric names (the built-in shop's by default). */
export function scenarioSlos(scenario: ValidScenario, names: SliMetricNames = SHOP_SLI_METRICS): Slo[] {
  return scenario.slo.indicators.map((indicator) =>
    sloOn(
      {
        name: indicator.name,
        sli: indicator.sli,
        objective: indicator.objective ?? scenario.slo.objective,
        ...(indicator.threshold === undefined ? {} : { thresholdMs: parseDuration(indicator.threshold) }),
        ...(indicator.deadline === undefined ? {} : { deadlineMs: parseDuration(indicator.deadline) }),
      },
      names,
    ),
  )
}

/** The scenario's rules with windows scaled by its time scale (or by `timeScale`, e.g. 1 for real windows). */
export function scaledRules(scenario: ValidScenario, timeScale = scenario.timeScale): ScaledRule[] {
  return scenario.detection.rules.map((r) => ({
    name: r.name,
    severity: r.severity,
    burnRate: r.burnRate,
    longWindow: r.longWindow,
    shortWindow: r.shortWindow,
    longWindowMs: scaleDuration(r.longWindow, timeScale),
    shortWindowMs: scaleDuration(r.shortWindow, timeScale),
  }))
}

export function detectionSettingsOf(
  scenario: ValidScenario,
  names: SliMetricNames = SHOP_SLI_METRICS,
): DetectionSettings {
  const { detection, timeScale } = scenario
  const scaled = (text: string) => (parseDuration(text) === 0 ? 0 : scaleDuration(text, timeScale))
  return {
    slos: scenarioSlos(scenario, names),
    rules: scaledRules(scenario),
    scrapeIntervalMs: detection.scrapeIntervalMs,
    evaluationIntervalMs: detection.evaluationIntervalMs,
    evaluateOnScrape: detection.evaluateOnScrape,
    keepFiringForMs: scaled(detection.keepFiringFor),
    grouping: {
      groupBy: [...detection.grouping.groupBy],
      groupWaitMs: scaled(detection.grouping.groupWait),
      groupIntervalMs: scaled(detection.grouping.groupInterval),
      repeatIntervalMs: scaled(detection.grouping.repeatInterval),
    },
    pageSeverities: [...detection.pageSeverities],
  }
}
