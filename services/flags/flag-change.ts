import { FLAG_STATES, type FlagDefinition, type FlagState, type Targeting } from './flag-definition.ts'
import { checkWithFlagd, findFlagProblem } from './flag-validation.ts'
import { FlagChangeInvalidError } from './flags-errors.ts'
import { readRollout } from './rollout-targeting.ts'

/** What a flip may change. `targeting: null` removes the flag's targeting rule. */
export interface FlagChange {
  defaultVariant?: string
  state?: FlagState
  targeting?: Targeting | null
}

/**
 * The definition after `change`, checked as a whole (variants, flagd's schema, the rule compiles).
 * Throws `FlagChangeInvalidError` naming the field at fault.
 */
export function applyFlagChange(flag: string, current: FlagDefinition, change: FlagChange): FlagDefinition {
  const { defaultVariant, state, targeting } = change
  if (defaultVariant === undefined && state === undefined && targeting === undefined)
    throw new FlagChangeInvalidError(
      flag,
      'change',
      'must set at least one of defaultVariant, state, targeting',
    )
  if (defaultVariant !== undefined && !Object.hasOwn(current.variants, defaultVariant))
    throw new FlagChangeInvalidError(
      flag,
      'defaultVariant',
      `must be one of the flag's variants ${Object.keys(current.variants).join(', ')} (got "${defaultVariant}")`,
    )
  if (state !== undefined && !FLAG_STATES.includes(state))
    throw new FlagChangeInvalidError(
      flag,
      'state',
      `must be one of ${FLAG_STATES.join(', ')} (got "${state}")`,
    )
  if (
    targeting !== undefined &&
    targeting !== null &&
    (typeof targeting !== 'object' || Array.isArray(targeting))
  )
    throw new FlagChangeInvalidError(
      flag,
      'targeting',
      'must be a flagd JSONLogic object, or null to remove it',
    )

  const next: FlagDefinition = { ...current }
  if (defaultVariant !== undefined) next.defaultVariant = defaultVariant
  if (state !== undefined) next.state = state
  if (targeting === null) delete next.targeting
  else if (targeting !== undefined) next.targeting = targeting

  const problem = findFlagProblem(flag, next) ?? checkWithFlagd({ [flag]: next })
  if (problem) throw new FlagChangeInvalidError(flag, problem.field, problem.detail)
  return next
}

/**
 * A short, readable account of what a flag serves, for the audit log: `off`, `on`, `disabled`,
 * `on for 5% (else off)`, or `off + targeting` for any other rule.
 */
export function describeFlag(definition: FlagDefinition): string {
  if (definition.state === 'DISABLED') return 'disabled'
  if (definition.targeting === undefined || Object.keys(definition.targeting).length === 0)
    return definition.defaultVariant
  const rollout = readRollout(definition.targeting)
  if (rollout === undefined) return `${definition.defaultVariant} + targeting`
  const percent = Number(rollout.percent.toFixed(2))
  if (percent >= 100) return `${rollout.onVariant} for 100%`
  if (percent <= 0) return `${rollout.offVariant} for 100%`
  return `${rollout.onVariant} for ${percent}% (else ${rollout.offVariant})`
}
