import { type Static, Type } from '@sinclair/typebox'

const Closed = { additionalProperties: false } as const
const NullableMs = Type.Union([Type.Number(), Type.Null()])

/** One line of the rubric: what it judged, the points it gave out of its maximum, and why, in plain words. */
export const ScoreItemSchema = Type.Object(
  {
    criterion: Type.Union([
      Type.Literal('acknowledge'),
      Type.Literal('mitigate'),
      Type.Literal('right-first-time'),
      Type.Literal('collateral'),
      Type.Literal('first-update'),
      Type.Literal('error-budget'),
    ]),
    points: Type.Number({ minimum: 0 }),
    max: Type.Number({ minimum: 0 }),
    detail: Type.String(),
  },
  Closed,
)
export type ScoreItem = Static<typeof ScoreItemSchema>

/** Something the responder did (or was given), as the journal records it. */
export const TraineeActionSchema = Type.Object(
  {
    at: Type.String(),
    /** Milliseconds after the page; null before the page. */
    afterPageMs: NullableMs,
    kind: Type.Union([
      Type.Literal('acknowledged'),
      Type.Literal('flag-set'),
      Type.Literal('rollback'),
      Type.Literal('queue'),
      Type.Literal('status'),
      Type.Literal('hint'),
      Type.Literal('mitigated'),
    ]),
    text: Type.String(),
  },
  Closed,
)
export type TraineeAction = Static<typeof TraineeActionSchema>

/** A trainee's run, scored by the rubric (training/RUBRIC.md), from the journal and the scenario's targets only. */
export const TrainingScoreSchema = Type.Object(
  {
    runId: Type.String(),
    scenario: Type.String(),
    seed: Type.Number(),
    trainee: Type.String(),
    /** 0..100: the items' points, less the hints' cost. */
    points: Type.Number({ minimum: 0, maximum: 100 }),
    max: Type.Literal(100),
    items: Type.Array(ScoreItemSchema),
    hints: Type.Object({ count: Type.Integer({ minimum: 0 }), cost: Type.Number({ minimum: 0 }) }, Closed),
    acknowledgeMs: NullableMs,
    mitigateMs: NullableMs,
    firstUpdateMs: NullableMs,
    actions: Type.Array(TraineeActionSchema),
  },
  Closed,
)
export type TrainingScore = Static<typeof TrainingScoreSchema>
