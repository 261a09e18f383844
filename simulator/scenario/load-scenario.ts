import { readdirSync, statSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ScenarioNotFoundError, ScenarioTooLargeError, ScenarioUnreadableError } from '../errors.ts'
import { parseScenario, type ValidScenario } from './parse-scenario.ts'
import { SCENARIO_CATALOG_DIR, SCENARIO_NAME_PATTERN } from './scenario-catalog.ts'

/** A scenario file is refused past this size: it is a short hand-written file. */
export const MAX_SCENARIO_BYTES = 256 * 1024

/** A validated scenario and where it came from (files it names resolve against `dir`). */
export interface LoadedScenario {
  /** Catalog name, or the folder name of a scenario given by path. */
  readonly name: string
  readonly file: string
  readonly dir: string
  readonly scenario: ValidScenario
}

export interface LoadScenarioOptions {
  /** @defaultValue the built-in catalog, `simulator/scenarios/` */
  catalogDir?: string
}

/**
 * Loads a scenario by catalog name (`bad-pricing` → `<catalog>/bad-pricing/scenario.yaml`) or by path (a
 * YAML file, or a folder holding `scenario.yaml`). Throws `FiredrillInputError`s (exit 2) for a missing,
 * oversized, unsafe or invalid file; each message names the file and the field.
 */
export async function loadScenario(
  pathOrName: string,
  options: LoadScenarioOptions = {},
): Promise<LoadedScenario> {
  const catalogDir = options.catalogDir ?? SCENARIO_CATALOG_DIR
  const file = resolveScenarioFile(pathOrName, catalogDir)
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ScenarioNotFoundError(pathOrName, file, catalogNames(catalogDir))
    }
    throw new ScenarioUnreadableError(file, err)
  }
  if (size > MAX_SCENARIO_BYTES) throw new ScenarioTooLargeError(file, size, MAX_SCENARIO_BYTES)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ScenarioUnreadableError(file, err)
  }
  const dir = dirname(file)
  const scenario = parseScenario(text, file, dir)
  const name = basename(file).startsWith('scenario.') ? basename(dir) : basename(file).replace(/\.ya?ml$/, '')
  return Object.freeze({ name, file, dir, scenario })
}

function resolveScenarioFile(pathOrName: string, catalogDir: string): string {
  if (SCENARIO_NAME_PATTERN.test(pathOrName)) return join(catalogDir, pathOrName, 'scenario.yaml')
  const full = resolve(pathOrName)
  try {
    if (statSync(full).isDirectory()) return join(full, 'scenario.yaml')
  } catch {
    // Missing: reported by the caller with the catalog's names.
  }
  return full
}

/** Names of the catalog's scenarios (folders holding a scenario.yaml), sorted. */
export function catalogNames(catalogDir: string = SCENARIO_CATALOG_DIR): string[] {
  try {
    return readdirSync(catalogDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && SCENARIO_NAME_PATTERN.test(entry.name))
      .filter(
        (entry) =>
          statSync(join(catalogDir, entry.name, 'scenario.yaml'), { throwIfNoEntry: false }) !== undefined,
      )
      .map((entry) => entry.name)
      .sort()
  } catch {
    return []
  }
}
