import { type Static, Type } from '@sinclair/typebox'
import { DoraMetricsSchema } from '../record/dora/dora-metrics-schema.ts'
import { TrainingScoreSchema } from '../record/scoring/training-score-schema.ts'

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
    /** `done` once a `fix.merged` event names it; `overdue` when still open after its due date. */
    status: Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('overdue')]),
    /** The fix commits that closed it, from `fix.merged` events. */
    closedBy: Type.Array(Type.String({ minLength: 1 })),
  },
  Closed,
)

const GateStepSchema = Type.Object(
  { name: Type.String(), status: Type.String(), durationMs: Type.Number({ minimum: 0 }) },
  Closed,
)

/** The bad change's path through the gate to the environments, from the journal. */
export const ChangePathSchema = Type.Object(
  {
    title: Type.String(),
    branch: Type.String(),
    /** The bad change's own commit on its branch: what a replay puts back on trunk. */
    commit: Type.String({ minLength: 1 }),
    /** The merge commit on trunk; absent when the journal ends before the merge. */
    trunk: Type.Optional(Type.String({ minLength: 1 })),
    gate: Type.Union([
      Type.Object(
        {
          commit: Type.String(),
          tree: Type.String(),
          green: Type.Boolean(),
          steps: Type.Array(GateStepSchema),
        },
        Closed,
      ),
      Type.Null(),
    ]),
    artifact: Type.Union([
      Type.Object({ commit: Type.String(), contentHash: Type.String() }, Closed),
      Type.Null(),
    ]),
    /** Where the change was deployed, in order. */
    environments: Type.Array(Type.String()),
  },
  Closed,
)

export const MistakeLogSchema = Type.Object(
  {
    mistake: Type.String({ minLength: 1 }),
    symptom: Type.String({ minLength: 1 }),
    rootCause: Type.String({ minLength: 1 }),
    /** The gate red on the replay of the bad change and green on the fix; null until the journal has them. */
    repairEvidence: Type.Object(
      {
        replay: Type.Union([
          Type.Object(
            { commit: Type.String(), green: Type.Boolean(), blockedBy: Type.Array(Type.String()) },
            Closed,
          ),
          Type.Null(),
        ]),
        fix: Type.Union([Type.Object({ commit: Type.String(), green: Type.Boolean() }, Closed), Type.Null()]),
        /** Why the loop was not run at all (a drill on a target that names no repository, …), when it was not. */
        notRun: Type.Optional(Type.String({ minLength: 1 })),
      },
      Closed,
    ),
    /** One line: `Check <what> before <when>`. */
    retrievalCard: Type.String({ pattern: '^Check \\S[^\\n]* before \\S[^\\n]*$' }),
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

/** One flag of the service's flags file on trunk, with its flag debt (the `flags audit` reason codes). */
export const PostmortemFlagRowSchema = Type.Object(
  {
    key: Type.String({ minLength: 1 }),
    owner: Type.Union([Type.String(), Type.Null()]),
    type: Type.Union([Type.String(), Type.Null()]),
    lifecycle: Type.Union([Type.String(), Type.Null()]),
    ageDays: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    expiresAt: Type.Union([Type.String(), Type.Null()]),
    removalTicket: Type.Union([Type.String(), Type.Null()]),
    debt: Type.Array(Type.String()),
  },
  Closed,
)

/**
 * The release flag's close-out and the flag inventory. `closeOut.status`: `closed-out` when the cleanup merged
 * (completed, code path removed and archived on trunk); `not-merged` when it was committed but did not reach
 * trunk (the archive was refused, or the gate was red); `not-attempted` when the follow-up never got to it.
 * `inventory` is the flags file on the run's trunk, judged at the journal's last event; null when it was not
 * read (the run's repository is gone, or the document was built from the journal alone).
 */
export const PostmortemFlagsSchema = Type.Object(
  {
    /** The release flag; null when the change shipped without one (a rolling release). */
    flag: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    closeOut: Type.Object(
      {
        status: Type.Union([
          Type.Literal('closed-out'),
          Type.Literal('not-merged'),
          Type.Literal('not-attempted'),
        ]),
        stages: Type.Array(Type.Object({ to: Type.String(), commit: Type.String(), at: Iso }, Closed)),
        cleanup: Type.Union([
          Type.Object(
            { branch: Type.String(), commit: Type.String(), trunk: Type.String(), at: Iso },
            Closed,
          ),
          Type.Null(),
        ]),
      },
      Closed,
    ),
    inventory: Type.Union([
      Type.Object({ at: Iso, rows: Type.Array(PostmortemFlagRowSchema) }, Closed),
      Type.Null(),
    ]),
  },
  Closed,
)

/** One run's DORA metrics: the run's id, its directory (null when not known) and the figures. */
export const DoraSideSchema = Type.Object(
  {
    runId: Type.String({ minLength: 1 }),
    dir: Type.Union([Type.String(), Type.Null()]),
    metrics: DoraMetricsSchema,
  },
  Closed,
)

/**
 * DORA before and after the loop closed. A first run is the before (the delivery loop that shipped the bad
 * change) and its after is still to come (`missing.reason` `no-again-run`: a `--again` run measures it). A
 * `--again` run is the after, and the run it repeats the before; when that side is null, `missing` says why:
 * its journal could not be read at `dir`, or it was not measured for this document (built without it, as an
 * interim postmortem is). `thisRun` says which side this run is.
 */
export const PostmortemDoraSchema = Type.Object(
  {
    thisRun: Type.Union([Type.Literal('before'), Type.Literal('after')]),
    before: Type.Union([DoraSideSchema, Type.Null()]),
    after: Type.Union([DoraSideSchema, Type.Null()]),
    missing: Type.Union([
      Type.Object({ reason: Type.Literal('no-again-run') }, Closed),
      /** A drill on a team's own service (`run --target`), which `--again` does not repeat. */
      Type.Object({ reason: Type.Literal('target-run') }, Closed),
      Type.Object({ reason: Type.Literal('unreadable'), dir: Type.String() }, Closed),
      Type.Object({ reason: Type.Literal('not-measured'), dir: Type.String() }, Closed),
      Type.Null(),
    ]),
  },
  Closed,
)

export const PostmortemSchema = Type.Object(
  {
    schemaVersion: Type.Literal(3),
    runId: Type.String({ minLength: 1 }),
    title: Type.String({ minLength: 1 }),
    /** How the drill ended, as the journal tells it. */
    status: Type.Union([
      Type.Literal('recovered'),
      Type.Literal('not-recovered'),
      Type.Literal('aborted'),
      Type.Literal('crashed'),
      Type.Literal('incomplete'),
      Type.Literal('prevented'),
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
        flag: Type.Union([Type.String(), Type.Null()]),
        /** How the change reached users (`flag-canary`, `rolling`, `blue-green`, `instance-canary`, `provider-fault`). */
        strategy: Type.Optional(Type.String()),
        /**
         * Where the cause lay: `change` (a change of ours) or `external` (a dependency failed, nothing of ours
         * changed). Absent in older documents: a change.
         */
        cause: Type.Optional(Type.Union([Type.Literal('change'), Type.Literal('external')])),
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
    /** Null when the journal records no committed change. */
    change: Type.Union([ChangePathSchema, Type.Null()]),
    mistakeLog: MistakeLogSchema,
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
    /** The DORA metrics of the run it repeats (before) and of this run (after). */
    dora: PostmortemDoraSchema,
    /** The release flag's close-out and the flag inventory on trunk. */
    flags: PostmortemFlagsSchema,
    /** A trainee's run (a human responder paged): the score by the rubric and what the responder did. */
    training: Type.Optional(TrainingScoreSchema),
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
export type ChangePath = Static<typeof ChangePathSchema>
export type MistakeLog = Static<typeof MistakeLogSchema>
export type DoraSide = Static<typeof DoraSideSchema>
export type PostmortemDora = Static<typeof PostmortemDoraSchema>
export type PostmortemFlags = Static<typeof PostmortemFlagsSchema>
export type PostmortemFlagRow = Static<typeof PostmortemFlagRowSchema>
