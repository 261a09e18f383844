import { catalogNames, loadScenario } from './load-scenario.ts'
import { SCENARIO_CATALOG_DIR } from './scenario-catalog.ts'

export interface ScenarioListing {
  name: string
  title: string
  description: string
}

/** The catalog for `firedrill scenarios`: every scenario, loaded and validated, sorted by name. */
export async function listScenarios(catalogDir: string = SCENARIO_CATALOG_DIR): Promise<ScenarioListing[]> {
  const listings: ScenarioListing[] = []
  for (const name of catalogNames(catalogDir)) {
    const { scenario } = await loadScenario(name, { catalogDir })
    listings.push({ name, title: scenario.title, description: scenario.description.trim() })
  }
  return listings
}
