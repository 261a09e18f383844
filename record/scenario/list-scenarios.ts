import { catalogNames, loadScenario } from './load-scenario.ts'
import type { ValidScenario } from './parse-scenario.ts'
import { SCENARIO_CATALOG_DIR } from './scenario-catalog.ts'

export interface ScenarioListing {
  name: string
  title: string
  description: string
  /** The delivery mistake it teaches; null when the scenario file does not say. */
  teaches: string | null
  difficulty: 'introductory' | 'intermediate' | 'advanced' | null
  /** The SLOs detection watches, as `name (sli)`. */
  slis: string[]
  /**
   * The waiting the drill plans, in wall-clock seconds: both steady states, every release hold (a page ends the
   * release sooner) and the acknowledgement delay. The gate runs, builds and deploys come on top.
   */
  plannedWaitSeconds: number
  /** What it drills: the built-in shop, or a target given with `run --target FILE`. */
  service: 'builtin-shop' | 'target'
}

/** The catalog for `firedrill scenarios`: every scenario, loaded and validated, sorted by name. */
export async function listScenarios(catalogDir: string = SCENARIO_CATALOG_DIR): Promise<ScenarioListing[]> {
  const listings: ScenarioListing[] = []
  for (const name of catalogNames(catalogDir)) {
    const { scenario } = await loadScenario(name, { catalogDir })
    listings.push({
      name,
      title: scenario.title,
      description: scenario.description.trim(),
      teaches: scenario.catalog?.teaches ?? null,
      difficulty: scenario.catalog?.difficulty ?? null,
      slis: scenario.slo.indicators.map((i) => `${i.name} (${i.sli})`),
      plannedWaitSeconds: plannedWaitSeconds(scenario),
      service: scenario.service.kind,
    })
  }
  return listings
}

/** Steady states, holds and, when the drill can page, the acknowledgement delay. */
export function plannedWaitSeconds(scenario: ValidScenario): number {
  const holds = scenario.release.steps.reduce((sum, step) => sum + step.holdSeconds, 0)
  const ack = scenario.change.stoppedBy === undefined ? scenario.responder.ackDelaySeconds : 0
  return 2 * scenario.steadyState.durationSeconds + holds + ack
}
