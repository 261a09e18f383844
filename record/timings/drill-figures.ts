import type { JournalEvent } from '../journal/journal-event.ts'
import { scaleDuration } from '../scenario/duration.ts'
import type { ValidScenario } from '../scenario/parse-scenario.ts'
import { deriveImpact, type Impact, type ImpactSlo } from './derive-impact.ts'
import { deriveTimings, type Timings } from './derive-timings.ts'

/** The scenario's SLO as `deriveImpact` takes it: the window scaled to wall-clock ms by the time scale. */
export function impactSloOf(scenario: ValidScenario): ImpactSlo {
  return {
    objective: scenario.slo.objective,
    windowMs: scaleDuration(scenario.slo.window, scenario.timeScale),
  }
}

/** The figures of `firedrill run --json` and `summary.json`: `timings` and `impact`, from the journal alone. */
export interface DrillFigures {
  timings: Timings
  impact: Pick<Impact, 'requests' | 'failedRequests' | 'errorRatio' | 'errorBudgetConsumedPct'>
}

export function drillFigures(events: readonly JournalEvent[], scenario: ValidScenario): DrillFigures {
  const { requests, failedRequests, errorRatio, errorBudgetConsumedPct } = deriveImpact(
    events,
    impactSloOf(scenario),
  )
  return {
    timings: deriveTimings(events),
    impact: { requests, failedRequests, errorRatio, errorBudgetConsumedPct },
  }
}
