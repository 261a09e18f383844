import { Value } from '@sinclair/typebox/value'
import { parseAllDocuments } from 'yaml'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import {
  ScenarioAliasLimitError,
  ScenarioEmptyError,
  ScenarioInvalidError,
  ScenarioMultipleDocumentsError,
  ScenarioYamlSyntaxError,
} from '../errors.ts'
import { crossFieldProblems } from './cross-field-problems.ts'
import { type DeepReadonly, deepFreeze } from './deep-freeze.ts'
import { type Scenario, ScenarioSchema } from './scenario-schema.ts'

/** Aliases a scenario may expand; a hand-written file needs a handful, a bomb needs millions. */
export const MAX_ALIAS_COUNT = 100
/** How many problems one error lists; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 5

export type ValidScenario = DeepReadonly<Scenario>

/**
 * Parses and validates scenario YAML: one document, aliases bounded, the schema (defaults applied, unknown
 * keys refused), then the cross-field checks. `file` names the source in errors. Returns a deeply frozen
 * scenario. An empty file (or one of only comments) is a `FIREDRILL_SCENARIO_EMPTY` error.
 */
export function parseScenario(text: string, file: string): ValidScenario {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, merge: false })
  // Blank lines and comments alone make no document at all.
  if (!Array.isArray(docs) || docs.length === 0) throw new ScenarioEmptyError(file)
  if (docs.length > 1) throw new ScenarioMultipleDocumentsError(file, docs.length)
  const doc = docs[0]!
  const syntax = doc.errors[0]
  if (syntax !== undefined) {
    throw new ScenarioYamlSyntaxError(
      file,
      syntax.linePos?.[0].line,
      (syntax.message.split('\n')[0] ?? syntax.code).replace(/ at line \d+, column \d+:?$/, ''),
    )
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new ScenarioAliasLimitError(file, MAX_ALIAS_COUNT, err)
    }
    throw new ScenarioYamlSyntaxError(file, undefined, err instanceof Error ? err.message : String(err))
  }
  if (raw === null || raw === undefined) throw new ScenarioEmptyError(file)
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioInvalidError(file, [
      {
        path: '(root)',
        expected: 'must be a mapping of scenario fields',
        got: Array.isArray(raw) ? 'a list' : typeof raw,
      },
    ])
  }

  const withDefaults = Value.Default(ScenarioSchema, Value.Clone(raw))
  const problems = schemaProblems(ScenarioSchema, withDefaults)
  if (problems.length > 0) throw invalid(file, problems)
  const scenario = withDefaults as Scenario
  const crossProblems = crossFieldProblems(scenario, raw as Record<string, unknown>)
  if (crossProblems.length > 0) throw invalid(file, crossProblems)
  return deepFreeze(scenario)
}

function invalid(file: string, problems: ReturnType<typeof schemaProblems>): ScenarioInvalidError {
  return new ScenarioInvalidError(file, problems.slice(0, MAX_REPORTED_PROBLEMS), problems.length)
}
