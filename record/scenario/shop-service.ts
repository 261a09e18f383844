import { ScenarioWrongServiceError } from '../errors.ts'
import type { ValidScenario } from './parse-scenario.ts'

export type ShopService = Extract<ValidScenario['service'], { kind: 'builtin-shop' }>

/** The scenario's built-in shop; a target's scenario is `FIREDRILL_SCENARIO_WRONG_SERVICE` (exit 2), naming it. */
export function shopServiceOf(name: string, scenario: ValidScenario): ShopService {
  if (scenario.service.kind !== 'builtin-shop') throw new ScenarioWrongServiceError(name, 'target')
  return scenario.service
}
