import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { FaultModeInvalidError } from './payments-errors.ts'

const Percent = Type.Integer({ minimum: 0, maximum: 100 })
const Millis = Type.Integer({ minimum: 0, maximum: 600_000 })

/**
 * How the virtualised provider misbehaves. Every fault except `timeout-after-charge` strikes before a charge is
 * recorded, so a failed attempt charges nothing.
 */
export const FaultModeSchema = Type.Union([
  Type.Object({ mode: Type.Literal('none') }, { additionalProperties: false }),
  /** Every request waits `ms` before it is answered. */
  Type.Object({ mode: Type.Literal('latency'), ms: Millis }, { additionalProperties: false }),
  /** `percent` of charge attempts answer 500. */
  Type.Object({ mode: Type.Literal('error-rate'), percent: Percent }, { additionalProperties: false }),
  /** Every request answers 503. */
  Type.Object({ mode: Type.Literal('outage') }, { additionalProperties: false }),
  /** `percent` (default 100) of charge attempts answer 429 with `Retry-After: retryAfterSeconds`. */
  Type.Object(
    {
      mode: Type.Literal('rate-limit'),
      retryAfterSeconds: Type.Integer({ minimum: 0, maximum: 3600 }),
      percent: Type.Optional(Percent),
    },
    { additionalProperties: false },
  ),
  /** The charge is recorded, then the answer waits `ms`: the caller may give up (or die) after being charged. */
  Type.Object({ mode: Type.Literal('timeout-after-charge'), ms: Millis }, { additionalProperties: false }),
])

export type FaultMode = Static<typeof FaultModeSchema>

export const NO_FAULT: FaultMode = Object.freeze({ mode: 'none' })

/** Checks a value against the fault mode schema; a mismatch is a `FIREDRILL_PAYMENTS_FAULT_MODE_INVALID` error. */
export function parseFaultMode(value: unknown, source: string): FaultMode {
  if (Value.Check(FaultModeSchema, value)) return Object.freeze({ ...value })
  throw new FaultModeInvalidError(source, describeMismatch(value))
}

function describeMismatch(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `expected an object (got ${JSON.stringify(value)})`
  const mode = (value as { mode?: unknown }).mode
  const variant = FaultModeSchema.anyOf.find((schema) => schema.properties.mode.const === mode)
  if (variant === undefined) return `mode must be one of ${modeNames()} (got ${JSON.stringify(mode)})`
  const first = Value.Errors(variant, value).First()
  if (first === undefined) return 'it does not match the schema'
  const field = first.path === '' ? 'the object' : first.path.slice(1).replaceAll('/', '.')
  return `${field} ${first.message.toLowerCase()} (got ${JSON.stringify(first.value)})`
}

function modeNames(): string {
  return FaultModeSchema.anyOf.map((schema) => `"${schema.properties.mode.const}"`).join(', ')
}
