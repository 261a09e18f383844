import { readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import {
  ScenarioNotFoundError,
  ScenarioNotRegularFileError,
  ScenarioNotTextError,
  ScenarioTooLargeError,
  ScenarioUnreadableError,
} from '../errors.ts'
import { openScenarioFile } from './open-scenario-file.ts'
import { parseScenario, type ValidScenario } from './parse-scenario.ts'
import { SCENARIO_CATALOG_DIR, SCENARIO_NAME_PATTERN } from './scenario-catalog.ts'
import { checkScenarioFiles, type ScenarioFiles } from './scenario-files.ts'
import { loadRoster } from './team-roster.ts'

/** A scenario file is refused past this size: it is a short hand-written file. */
export const MAX_SCENARIO_BYTES = 256 * 1024

/** A validated scenario and where it came from (files it names resolve against `dir`). */
export interface LoadedScenario {
  /** Catalog name, or the folder name of a scenario given by path. */
  readonly name: string
  readonly file: string
  readonly dir: string
  readonly scenario: ValidScenario
  /** The real paths of the files the scenario names (patches, roster), checked: regular, in `dir`, not too large. */
  readonly files: ScenarioFiles
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
  const read = await openScenarioFile(file, { maxBytes: MAX_SCENARIO_BYTES })
  if (!read.ok) {
    const { problem } = read
    switch (problem.kind) {
      case 'missing':
        throw new ScenarioNotFoundError(pathOrName, file, catalogNames(catalogDir))
      case 'not-regular':
        throw new ScenarioNotRegularFileError(file, problem.what)
      case 'too-large':
        throw new ScenarioTooLargeError(file, problem.bytes, problem.limit)
      default:
        throw new ScenarioUnreadableError(file, problem.kind === 'unreadable' ? problem.cause : problem.kind)
    }
  }
  const text = decodeUtf8(read.bytes, file)
  const dir = dirname(file)
  const scenario = parseScenario(text, file)
  const files = await checkScenarioFiles({ file, dir, scenario })
  const name = basename(file).startsWith('scenario.') ? basename(dir) : basename(file).replace(/\.ya?ml$/, '')
  const loaded: LoadedScenario = Object.freeze({ name, file, dir, scenario, files })
  // A roster the postmortem could not read is refused now, not at the end of a drill.
  await loadRoster(loaded)
  return loaded
}

/** The file's text; refuses bytes that are not UTF-8 rather than reading them as replacement characters. */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const lenient = bytes.toString('utf8')
    const line = lenient.slice(0, Math.max(0, lenient.indexOf('\ufffd'))).split('\n').length
    throw new ScenarioNotTextError(file, line)
  }
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
