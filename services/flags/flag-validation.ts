import { ErrorCode, type Logger } from '@openfeature/core'
import { MemoryStorage } from '@openfeature/flagd-core'
import {
  FLAG_LIFECYCLES,
  FLAG_STATES,
  FLAG_TYPES,
  type FlagDefinition,
  type FlagType,
  TEMPORARY_FLAG_TYPES,
  toFlagdConfiguration,
} from './flag-definition.ts'

/** What is wrong with one flag: `field` is a dotted path inside the flag (`metadata.owner`, `targeting`). */
export interface FlagProblem {
  flag: string
  field: string
  detail: string
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/

const quiet: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value)
}

/**
 * Checks one flag's shape and firedrill's lifecycle metadata, and returns the first problem found.
 * flagd's own schema and the targeting rule are checked afterwards by {@link checkWithFlagd}.
 */
export function findFlagProblem(flag: string, raw: unknown): FlagProblem | undefined {
  const problem = (field: string, detail: string): FlagProblem => ({ flag, field, detail })
  if (flag.length === 0) return problem('key', 'must not be empty')
  if (!isRecord(raw)) return problem('(flag)', `must be an object (got ${show(raw)})`)
  if (!FLAG_STATES.includes(raw.state as never))
    return problem('state', `must be one of ${FLAG_STATES.join(', ')} (got ${show(raw.state)})`)
  const variants = raw.variants
  if (!isRecord(variants) || Object.keys(variants).length === 0)
    return problem('variants', `must be an object with at least one variant (got ${show(variants)})`)
  const kinds = new Set(Object.values(variants).map((v) => (v === null ? 'null' : typeof v)))
  if (kinds.size > 1 || kinds.has('null'))
    return problem(
      'variants',
      `must all be of one type: boolean, string, number or object (got ${show(variants)})`,
    )
  if (typeof raw.defaultVariant !== 'string' || !Object.hasOwn(variants, raw.defaultVariant))
    return problem(
      'defaultVariant',
      `must be one of the variants ${Object.keys(variants).join(', ')} (got ${show(raw.defaultVariant)})`,
    )
  if (raw.targeting !== undefined && !isRecord(raw.targeting))
    return problem('targeting', `must be a JSONLogic object (got ${show(raw.targeting)})`)
  return findMetadataProblem(flag, raw.metadata)
}

function findMetadataProblem(flag: string, metadata: unknown): FlagProblem | undefined {
  const problem = (field: string, detail: string): FlagProblem => ({
    flag,
    field: `metadata${field}`,
    detail,
  })
  if (!isRecord(metadata))
    return problem('', `must be an object with owner, type and lifecycle (got ${show(metadata)})`)
  for (const [name, value] of Object.entries(metadata)) {
    if (!['string', 'number', 'boolean'].includes(typeof value))
      return problem(`.${name}`, `must be a string, number or boolean (got ${show(value)})`)
  }
  if (typeof metadata.owner !== 'string' || metadata.owner.trim() === '')
    return problem('.owner', `must name the owning team, like "team-checkout" (got ${show(metadata.owner)})`)
  if (!FLAG_TYPES.includes(metadata.type as never))
    return problem('.type', `must be one of ${FLAG_TYPES.join(', ')} (got ${show(metadata.type)})`)
  if (!FLAG_LIFECYCLES.includes(metadata.lifecycle as never))
    return problem(
      '.lifecycle',
      `must be one of ${FLAG_LIFECYCLES.join(', ')} (got ${show(metadata.lifecycle)})`,
    )
  const temporary = TEMPORARY_FLAG_TYPES.includes(metadata.type as FlagType)
  const { expiresAt, removalTicket } = metadata
  if (expiresAt !== undefined || temporary) {
    if (typeof expiresAt !== 'string' || !ISO_DATE.test(expiresAt) || Number.isNaN(Date.parse(expiresAt)))
      return problem(
        '.expiresAt',
        `must be an ISO date like "2026-12-31"${temporary ? ` for a ${String(metadata.type)} flag` : ''} (got ${show(expiresAt)})`,
      )
  }
  if (removalTicket !== undefined || temporary) {
    if (typeof removalTicket !== 'string' || removalTicket.trim() === '')
      return problem(
        '.removalTicket',
        `must name the ticket that removes the flag, like "SHOP-101" (got ${show(removalTicket)})`,
      )
  }
  return undefined
}

/**
 * Loads the flags into flagd-core with flagd's own schema switched on (so flagd would load them unchanged)
 * and checks that every targeting rule compiles. Returns the first problem found.
 */
export function checkWithFlagd(flags: Record<string, FlagDefinition>): FlagProblem | undefined {
  const storage = new MemoryStorage(quiet)
  try {
    storage.setConfigurations(toFlagdConfiguration(flags), true)
  } catch (err) {
    return problemFromSchemaError(err, Object.keys(flags))
  }
  for (const [flag, feature] of storage.getFlags()) {
    const result = feature.evaluate({}, quiet)
    if (result.reason === 'ERROR' && result.errorCode === ErrorCode.PARSE_ERROR)
      return { flag, field: 'targeting', detail: 'is not a rule flagd can compile (unknown operator?)' }
  }
  return undefined
}

interface AjvError {
  instancePath?: string
  message?: string
  params?: Record<string, unknown>
}

/** flagd-core puts ajv's errors, as JSON, after the first colon of its ParseError's message. */
function problemFromSchemaError(err: unknown, keys: string[]): FlagProblem {
  const message = err instanceof Error ? err.message : String(err)
  let first: AjvError | undefined
  try {
    const errors = JSON.parse(message.slice(message.indexOf(':') + 1)) as AjvError[]
    first = errors[0]
  } catch {
    // not ajv's list: report the message as it is
  }
  if (first?.instancePath === undefined) return { flag: keys.join(', '), field: '(flags)', detail: message }
  const path = first.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
  const [, flag = '(flags)', ...field] = path
  const extra = first.params?.additionalProperty
  const detail = `${first.message ?? 'is invalid'}${extra === undefined ? '' : ` (${String(extra)})`} in flagd's schema`
  return { flag, field: field.join('.') || '(flag)', detail }
}
