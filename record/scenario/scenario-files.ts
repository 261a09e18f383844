import { resolve } from 'node:path'
import {
  ScenarioFileNotFoundError,
  ScenarioFileNotRegularError,
  ScenarioFileOutsideError,
  ScenarioFileTooLargeError,
  ScenarioFileUnreadableError,
} from '../errors.ts'
import type { DeepReadonly } from './deep-freeze.ts'
import { openScenarioFile } from './open-scenario-file.ts'
import type { Scenario } from './scenario-schema.ts'

/** A patch (the change, the fix, the flag's clean-up) may be this large. */
export const MAX_PATCH_BYTES = 1024 * 1024
/** A team roster may be this large. */
export const MAX_ROSTER_BYTES = 256 * 1024

/** Every scenario field that names a file, where it is read from, and how large that file may be. */
export const SCENARIO_FILE_FIELDS = {
  'change.patch': { ref: (s: DeepReadonly<Scenario>) => s.change.patch, maxBytes: MAX_PATCH_BYTES },
  'change.fault.rebuild': {
    ref: (s: DeepReadonly<Scenario>) =>
      s.change.fault.kind === 'artifact-retagged' ? s.change.fault.rebuild : undefined,
    maxBytes: MAX_PATCH_BYTES,
  },
  'followUp.fix': { ref: (s: DeepReadonly<Scenario>) => s.followUp.fix, maxBytes: MAX_PATCH_BYTES },
  'followUp.cleanup': { ref: (s: DeepReadonly<Scenario>) => s.followUp.cleanup, maxBytes: MAX_PATCH_BYTES },
  team: { ref: (s: DeepReadonly<Scenario>) => s.team, maxBytes: MAX_ROSTER_BYTES },
} as const

export type ScenarioFileField = keyof typeof SCENARIO_FILE_FIELDS

/** The real paths of the files a scenario names, by field; a field the scenario leaves out is absent. */
export type ScenarioFiles = Readonly<Partial<Record<ScenarioFileField, string>>>

export interface ScenarioSource {
  /** The scenario file, for messages. */
  file: string
  /** Its folder: every file it names must resolve into it. */
  dir: string
  scenario: DeepReadonly<Scenario>
}

/**
 * Reads the file a scenario names in `field`: a regular file, inside the scenario's folder, within the
 * field's size limit. Throws the scenario registry's `FIREDRILL_SCENARIO_FILE_*` errors (exit 2), each naming
 * the field and the file. Returns undefined when the scenario leaves the field out.
 */
export async function readScenarioFile(
  source: ScenarioSource,
  field: ScenarioFileField,
): Promise<{ path: string; bytes: Buffer } | undefined> {
  const { ref: refOf, maxBytes } = SCENARIO_FILE_FIELDS[field]
  const ref = refOf(source.scenario)
  if (ref === undefined) return undefined
  const lexical = resolve(source.dir, ref)
  const read = await openScenarioFile(lexical, { confineTo: source.dir, maxBytes })
  if (read.ok) return { path: read.path, bytes: read.bytes }
  const { problem } = read
  switch (problem.kind) {
    case 'missing':
      throw new ScenarioFileNotFoundError(source.file, field, ref, lexical)
    case 'outside':
      throw new ScenarioFileOutsideError(source.file, field, ref, problem.resolved, source.dir)
    case 'not-regular':
      throw new ScenarioFileNotRegularError(source.file, field, ref, problem.what)
    case 'too-large':
      throw new ScenarioFileTooLargeError(source.file, field, ref, problem.bytes, problem.limit)
    case 'unreadable':
      throw new ScenarioFileUnreadableError(source.file, field, ref, problem.cause)
  }
}

/** Checks every file the scenario names (see `readScenarioFile`) and returns their real paths. */
export async function checkScenarioFiles(source: ScenarioSource): Promise<ScenarioFiles> {
  const files: Partial<Record<ScenarioFileField, string>> = {}
  for (const field of Object.keys(SCENARIO_FILE_FIELDS) as ScenarioFileField[]) {
    const read = await readScenarioFile(source, field)
    if (read !== undefined) files[field] = read.path
  }
  return Object.freeze(files)
}
