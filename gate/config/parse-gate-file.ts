import { Value } from '@sinclair/typebox/value'
import { parseAllDocuments } from 'yaml'
import { GateFileInvalidError, type GateFileProblem } from '../gate-errors.ts'
import { parseGateDuration } from './gate-duration.ts'
import {
  type BuiltInStep,
  type GateFileInput,
  GateFileSchema,
  type GateStepInput,
} from './gate-file-schema.ts'
import { gateSchemaProblems } from './gate-schema-problems.ts'

/**
 * What a step does: a shell command (`run`), one of the built-in steps, or `gate-file`, the check the gate adds
 * itself when a change edits the gate file (never named in a gate file).
 */
export type GateStepKind = 'run' | BuiltInStep | 'gate-file'

/** One validated step, with its defaults applied. */
export interface GateStep {
  readonly name: string
  readonly kind: GateStepKind
  /** The shell command, for `run` steps. */
  readonly run?: string
  readonly paths?: readonly string[]
  /** For test steps: false runs the test files in one worker, one after another (vitest's `isolate`). */
  readonly isolate?: boolean
  /** For `secret-scan`: files or folders it never reads. */
  readonly ignore?: readonly string[]
  readonly flagsFile?: string
  /** For `cfr-governor`: its `with` options, as given (the step applies its defaults). */
  readonly governor?: Readonly<{
    events?: string
    trailingDays?: number
    baselineDays?: number
    maxFailureRateIncrease?: number
    maxRecoveryTimeRatio?: number
  }>
  readonly blocking: boolean
  readonly timeoutMs: number
  readonly needs: readonly string[]
}

export interface GateFile {
  readonly trunk: string
  /** `required`: never run steps outside the sandbox. */
  readonly sandbox: 'auto' | 'required'
  readonly steps: readonly GateStep[]
}

const MAX_TIMEOUT_MS = 3_600_000
const PATHS_STEPS: readonly GateStepKind[] = ['unit-tests', 'contract-tests', 'secret-scan']
const TEST_STEPS: readonly GateStepKind[] = ['unit-tests', 'contract-tests']
const FLAGS_FILE_STEPS: readonly GateStepKind[] = ['flag-inventory', 'flag-debt']
const GOVERNOR_KEYS = [
  'events',
  'trailingDays',
  'baselineDays',
  'maxFailureRateIncrease',
  'maxRecoveryTimeRatio',
] as const

function governorOptions(input: GateStepInput): NonNullable<GateStep['governor']> {
  const options: Record<string, string | number> = {}
  for (const key of GOVERNOR_KEYS) {
    const value = input.with?.[key]
    if (value !== undefined) options[key] = value
  }
  return options
}

/**
 * Parses and validates a gate file's YAML: the schema (defaults applied, unknown keys refused), then the
 * checks across fields (exactly one of `run`/`uses`, unique names, `needs` naming earlier steps, timeouts).
 * Throws `GateFileInvalidError` (exit 2) naming the file and each field path.
 */
export function parseGateFile(text: string, file: string): GateFile {
  const docs = parseAllDocuments(text, { uniqueKeys: true, merge: false })
  if (!Array.isArray(docs) || docs.length !== 1)
    throw new GateFileInvalidError(file, [{ path: '(root)', detail: 'must be one YAML document' }])
  const doc = docs[0]!
  const syntax = doc.errors[0]
  if (syntax !== undefined) {
    const line = syntax.linePos?.[0].line
    throw new GateFileInvalidError(file, [
      {
        path: line === undefined ? '(root)' : `line ${line}`,
        detail: `is not valid YAML: ${(syntax.message.split('\n')[0] ?? syntax.code).replace(/ at line \d+, column \d+:?$/, '')}`,
      },
    ])
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 50 })
  } catch (err) {
    throw new GateFileInvalidError(file, [
      { path: '(root)', detail: `cannot be read: ${(err as Error).message}` },
    ])
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new GateFileInvalidError(file, [
      { path: '(root)', detail: 'must be a mapping with version, trunk and steps' },
    ])
  const withDefaults = Value.Default(GateFileSchema, Value.Clone(raw))
  const problems = gateSchemaProblems(GateFileSchema, withDefaults)
  if (problems.length > 0) throw new GateFileInvalidError(file, problems)
  const input = withDefaults as GateFileInput
  const crossProblems = crossFieldProblems(input)
  if (crossProblems.length > 0) throw new GateFileInvalidError(file, crossProblems)
  return Object.freeze({
    trunk: input.trunk,
    sandbox: input.sandbox,
    steps: Object.freeze(input.steps.map(toStep)),
  })
}

function toStep(input: GateStepInput): GateStep {
  const step: GateStep = {
    name: input.name,
    kind: input.uses ?? 'run',
    blocking: input.blocking,
    timeoutMs: parseGateDuration(input.timeout) ?? 0,
    needs: Object.freeze([...input.needs]),
    ...(input.run === undefined ? {} : { run: input.run }),
    ...(input.with?.paths === undefined ? {} : { paths: Object.freeze([...input.with.paths]) }),
    ...(input.with?.isolate === undefined ? {} : { isolate: input.with.isolate }),
    ...(input.with?.ignore === undefined ? {} : { ignore: Object.freeze([...input.with.ignore]) }),
    ...(input.with?.flagsFile === undefined ? {} : { flagsFile: input.with.flagsFile }),
    ...(input.uses === 'cfr-governor' ? { governor: Object.freeze(governorOptions(input)) } : {}),
  }
  return Object.freeze(step)
}

function crossFieldProblems(input: GateFileInput): GateFileProblem[] {
  const problems: GateFileProblem[] = []
  const earlier = new Set<string>()
  input.steps.forEach((step, i) => {
    const at = (field: string) => `steps[${i}]${field}`
    if ((step.run === undefined) === (step.uses === undefined))
      problems.push({
        path: at(''),
        detail: 'must have exactly one of run (a command) or uses (a built-in step)',
      })
    const timeoutMs = parseGateDuration(step.timeout)
    if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS)
      problems.push({
        path: at('.timeout'),
        detail: `must be a duration more than 0 and at most 1h, units largest first, like 90s or 1m30s (got ${JSON.stringify(step.timeout)})`,
      })
    if (earlier.has(step.name))
      problems.push({ path: at('.name'), detail: `must be unique ("${step.name}" is used twice)` })
    const kind: GateStepKind = step.uses ?? 'run'
    if (step.with?.paths !== undefined && !PATHS_STEPS.includes(kind))
      problems.push({
        path: at('.with.paths'),
        detail: `is only for ${PATHS_STEPS.join(', ')} steps`,
      })
    if (step.with?.isolate !== undefined && !TEST_STEPS.includes(kind))
      problems.push({ path: at('.with.isolate'), detail: `is only for ${TEST_STEPS.join(', ')} steps` })
    if (step.with?.ignore !== undefined && kind !== 'secret-scan')
      problems.push({ path: at('.with.ignore'), detail: 'is only for secret-scan steps' })
    for (const key of GOVERNOR_KEYS) {
      if (step.with?.[key] !== undefined && kind !== 'cfr-governor')
        problems.push({ path: at(`.with.${key}`), detail: 'is only for cfr-governor steps' })
    }
    if (kind === 'cfr-governor' && step.with?.events === undefined)
      problems.push({
        path: at('.with.events'),
        detail: 'must name the fourkeys JSON export the governor reads (a path in the repository)',
      })
    if (step.with?.flagsFile !== undefined && !FLAGS_FILE_STEPS.includes(kind))
      problems.push({
        path: at('.with.flagsFile'),
        detail: `is only for ${FLAGS_FILE_STEPS.join(', ')} steps`,
      })
    step.needs.forEach((need, j) => {
      if (!earlier.has(need))
        problems.push({
          path: at(`.needs[${j}]`),
          detail: `must name a step listed before this one (got "${need}")`,
        })
    })
    earlier.add(step.name)
  })
  return problems
}
