import { type Static, Type } from '@sinclair/typebox'

const Closed = { additionalProperties: false } as const
const Iso = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' })
const NullableIso = Type.Union([Iso, Type.Null()])
const NullableMs = Type.Union([Type.Number({ minimum: 0 }), Type.Null()])

export const ActionItemSchema = Type.Object(
  {
    /** `AI-1`, `AI-2`, …; a commit closes it with a `Refs: AI-1` trailer. */
    id: Type.String({ pattern: '^AI-\\d+$' }),
    title: Type.String({ minLength: 1 }),
    /** Roster handle of the owner. */
    owner: Type.String({ minLength: 1 }),
    ownerName: Type.String({ minLength: 1 }),
    /** YYYY-MM-DD, from the priority policy. */
    dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    priority: Type.Union([Type.Literal('P0'), Type.Literal('P1'), Type.Literal('P2')]),
    type: Type.Union([
      Type.Literal('prevent'),
      Type.Literal('detect'),
      Type.Literal('mitigate'),
      Type.Literal('process'),
    ]),
    /** How the item is tracked: the commit trailer that closes it. */
    tracking: Type.String({ minLength: 1 }),
    status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  },
  Closed,
)

export const EventRefSchema = Type.Union([
  Type.Object({ seq: Type.Integer({ minimum: 1 }), type: Type.String(), at: Iso }, Closed),
  Type.Null(),
])

export const TimingRowSchema = Type.Object(
  {
    metric: Type.String(),
    ms: NullableMs,
    from: EventRefSchema,
    to: EventRefSchema,
  },
  Closed,
)

export const PostmortemSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    runId: Type.String({ minLength: 1 }),
    title: Type.String({ minLength: 1 }),
    /** How the drill ended, as the journal tells it. */
    status: Type.Union([
      Type.Literal('recovered'),
      Type.Literal('not-recovered'),
      Type.Literal('aborted'),
      Type.Literal('incomplete'),
    ]),
    /** The incident's date (UTC) and when this document was generated. */
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    generatedAt: Iso,
    scenario: Type.Object(
      {
        name: Type.String(),
        title: Type.String(),
        seed: Type.Integer(),
        timeScale: Type.Number(),
        flag: Type.String(),
      },
      Closed,
    ),
    summary: Type.String({ minLength: 1 }),
    impact: Type.Object(
      {
        requests: Type.Integer({ minimum: 0 }),
        failedRequests: Type.Integer({ minimum: 0 }),
        errorRatio: Type.Number({ minimum: 0, maximum: 1 }),
        errorBudgetConsumedPct: Type.Number({ minimum: 0 }),
        sloObjective: Type.Number(),
        sloWindow: Type.String(),
        statement: Type.String({ minLength: 1 }),
      },
      Closed,
    ),
    rootCauses: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    trigger: Type.String({ minLength: 1 }),
    resolution: Type.String({ minLength: 1 }),
    detection: Type.String({ minLength: 1 }),
    actionItems: Type.Array(ActionItemSchema, { minItems: 1 }),
    lessons: Type.Object(
      {
        wentWell: Type.Array(Type.String()),
        wentWrong: Type.Array(Type.String()),
        gotLucky: Type.Array(Type.String()),
      },
      Closed,
    ),
    timeline: Type.Array(
      Type.Object(
        { seq: Type.Integer({ minimum: 1 }), at: Iso, type: Type.String(), text: Type.String() },
        Closed,
      ),
    ),
    timings: Type.Object(
      {
        releasedAt: NullableIso,
        firstErrorAt: NullableIso,
        detectedAt: NullableIso,
        acknowledgedAt: NullableIso,
        mitigatedAt: NullableIso,
        recoveredAt: NullableIso,
        mttdMs: NullableMs,
        mttaMs: NullableMs,
        mttmMs: NullableMs,
        mttrMs: NullableMs,
        mttrFromFirstErrorMs: NullableMs,
      },
      Closed,
    ),
    timingBreakdown: Type.Array(TimingRowSchema),
    journal: Type.Object(
      {
        events: Type.Integer({ minimum: 0 }),
        finished: Type.Boolean(),
        truncatedLastLine: Type.Boolean(),
      },
      Closed,
    ),
  },
  Closed,
)

export type Postmortem = Static<typeof PostmortemSchema>
export type ActionItem = Static<typeof ActionItemSchema>
export type TimingRow = Static<typeof TimingRowSchema>
