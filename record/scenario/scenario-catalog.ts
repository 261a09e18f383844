import { fileURLToPath } from 'node:url'

/** Where the built-in scenarios live: `simulator/scenarios/<name>/scenario.yaml`. */
export const SCENARIO_CATALOG_DIR = fileURLToPath(new URL('../../simulator/scenarios', import.meta.url))

/** The scenario a drill runs when none is named. */
export const DEFAULT_SCENARIO = 'bad-pricing'

/** A catalog name, as opposed to a path: lowercase words joined by dashes. */
export const SCENARIO_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/
