import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { parseScenario, type ValidScenario } from '../../../record/scenario/parse-scenario.ts'
import { SCENARIO_CATALOG_DIR } from '../../../record/scenario/scenario-catalog.ts'

// biome-ignore lint/suspicious/noExplicitAny: a scenario document as a test edits it, before validation.
export type ScenarioDoc = Record<string, any>

const DIR = join(SCENARIO_CATALOG_DIR, 'bad-pricing')

/** The bad-pricing scenario's YAML as a document, edited by `edit`, as text. */
export function scenarioText(edit: (doc: ScenarioDoc) => void = () => {}): string {
  const doc = parse(readFileSync(join(DIR, 'scenario.yaml'), 'utf8')) as ScenarioDoc
  edit(doc)
  return stringify(doc)
}

/** The bad-pricing scenario, edited by `edit`, validated as a scenario file is (its files resolve next to it). */
export function scenarioWith(edit: (doc: ScenarioDoc) => void = () => {}): ValidScenario {
  return parseScenario(scenarioText(edit), join(DIR, 'scenario.yaml'))
}
