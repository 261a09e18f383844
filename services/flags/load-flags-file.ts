import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { FlagsFileInvalidError } from '../platform/errors.ts'
import type { FlagDefinition, FlagsDocument } from './flag-definition.ts'
import { checkWithFlagd, type FlagProblem, findFlagProblem } from './flag-validation.ts'

/** The shop's own seed file, next to this module. */
export const DEFAULT_FLAGS_FILE = fileURLToPath(new URL('./flags.json', import.meta.url))

/** Reads and validates a flagd flags file; throws `FlagsFileInvalidError` naming the file, flag and field. */
export async function loadFlagsFile(file: string = DEFAULT_FLAGS_FILE): Promise<FlagsDocument> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new FlagsFileInvalidError(file, `cannot read it (${(err as Error).message})`)
  }
  return parseFlagsDocument(text, file)
}

/** Parses and validates the text of a flags file; `source` names it in errors. */
export function parseFlagsDocument(text: string, source: string): FlagsDocument {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new FlagsFileInvalidError(source, `it is not valid JSON (${(err as Error).message})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new FlagsFileInvalidError(source, 'it must hold a JSON object with a "flags" object')
  const { flags } = raw as { flags?: unknown }
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags))
    throw new FlagsFileInvalidError(source, '"flags" must be an object of flag definitions keyed by flag key')
  for (const [key, definition] of Object.entries(flags)) {
    const problem = findFlagProblem(key, definition)
    if (problem) throw fileError(source, problem)
  }
  const document = raw as FlagsDocument
  const problem = checkWithFlagd(document.flags as Record<string, FlagDefinition>)
  if (problem) throw fileError(source, problem)
  return document
}

function fileError(source: string, problem: FlagProblem): FlagsFileInvalidError {
  return new FlagsFileInvalidError(source, `flag "${problem.flag}": ${problem.field} ${problem.detail}`)
}
