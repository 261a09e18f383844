import { type Static, Type } from '@sinclair/typebox'

/** The HTTP shapes of the flags service, shared by its routes and by `FlagsHttpClient`. */

/** The longest reason a flag change may give: the audit log keeps it whole. */
export const MAX_REASON_LENGTH = 500

const MetadataValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()])
const FlagState = Type.Union([Type.Literal('ENABLED'), Type.Literal('DISABLED')])
const JsonLogic = Type.Record(Type.String(), Type.Unknown(), { description: 'a flagd JSONLogic rule' })

export const FlagMetadataSchema = Type.Record(Type.String(), MetadataValue)

export const FlagViewSchema = Type.Object({
  key: Type.String(),
  state: FlagState,
  defaultVariant: Type.String(),
  variants: Type.Record(Type.String(), Type.Unknown()),
  targeting: Type.Optional(JsonLogic),
  metadata: FlagMetadataSchema,
  /** What the flag serves, in short: `off`, `on for 5% (else off)`, `disabled`. */
  summary: Type.String(),
})
export type FlagView = Static<typeof FlagViewSchema>

export const FlagInventorySchema = Type.Object({
  revision: Type.Integer(),
  flags: Type.Array(FlagViewSchema),
})
export type FlagInventory = Static<typeof FlagInventorySchema>

export const FlagChangeSchema = Type.Object({
  defaultVariant: Type.Optional(Type.String({ minLength: 1 })),
  state: Type.Optional(FlagState),
  targeting: Type.Optional(Type.Union([JsonLogic, Type.Null()])),
})

export const FlagChangeBodySchema = Type.Object(
  {
    defaultVariant: Type.Optional(Type.String({ minLength: 1 })),
    state: Type.Optional(FlagState),
    targeting: Type.Optional(Type.Union([JsonLogic, Type.Null()])),
    reason: Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: '\\S' }),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
  },
  { additionalProperties: false },
)
export type FlagChangeBody = Static<typeof FlagChangeBodySchema>

export const FlagKeyParamsSchema = Type.Object({ key: Type.String({ minLength: 1 }) })

export const AuditEntrySchema = Type.Object({
  revision: Type.Integer(),
  flag: Type.String(),
  from: Type.String(),
  to: Type.String(),
  actor: Type.String(),
  reason: Type.String(),
  at: Type.String(),
  change: FlagChangeSchema,
})
export type AuditEntryView = Static<typeof AuditEntrySchema>

export const FlagChangeResponseSchema = Type.Object({
  revision: Type.Integer(),
  definition: FlagViewSchema,
  audit: AuditEntrySchema,
})
export type FlagChangeResponse = Static<typeof FlagChangeResponseSchema>

export const AuditQuerySchema = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })) },
  { additionalProperties: false },
)

export const AuditListSchema = Type.Object({ entries: Type.Array(AuditEntrySchema) })
export type AuditList = Static<typeof AuditListSchema>

export const ErrorResponseSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
  /** The request field at fault, for a 400. */
  field: Type.Optional(Type.String()),
})
export type ErrorResponse = Static<typeof ErrorResponseSchema>

export const HealthSchema = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) })

// OFREP (OpenFeature Remote Evaluation Protocol)

export const OfrepContextSchema = Type.Object(
  { targetingKey: Type.Optional(Type.String()) },
  { additionalProperties: true },
)

export const OfrepRequestSchema = Type.Object({ context: Type.Optional(OfrepContextSchema) })
export type OfrepRequest = Static<typeof OfrepRequestSchema>

export const OfrepSuccessSchema = Type.Object({
  key: Type.String(),
  /** Absent for a disabled flag (reason DISABLED): the caller's default applies. */
  value: Type.Optional(Type.Unknown()),
  reason: Type.String(),
  variant: Type.Optional(Type.String()),
  metadata: Type.Optional(FlagMetadataSchema),
})
export type OfrepSuccess = Static<typeof OfrepSuccessSchema>

export const OfrepErrorSchema = Type.Object({
  key: Type.String(),
  errorCode: Type.String(),
  errorDetails: Type.Optional(Type.String()),
})
export type OfrepError = Static<typeof OfrepErrorSchema>

export const OfrepBulkErrorSchema = Type.Object({
  errorCode: Type.String(),
  errorDetails: Type.Optional(Type.String()),
})

export const OfrepBulkResponseSchema = Type.Object({
  flags: Type.Array(Type.Union([OfrepSuccessSchema, OfrepErrorSchema])),
})
export type OfrepBulkResponse = Static<typeof OfrepBulkResponseSchema>
