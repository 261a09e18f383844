import { type Static, Type } from '@sinclair/typebox'

const Closed = { additionalProperties: false } as const
const Str = Type.String()
const NullableStr = Type.Union([Type.String(), Type.Null()])
const Series = Type.Array(Type.Union([Type.Number(), Type.Null()]))
const AuditLine = Type.Object({ at: Str, actor: Str, from: Str, to: Str, reason: Str }, Closed)

export const TraineeFlagSchema = Type.Object(
  {
    key: Str,
    serving: Str,
    owner: NullableStr,
    type: NullableStr,
    lifecycle: NullableStr,
    audit: Type.Array(AuditLine),
  },
  Closed,
)
export type TraineeFlag = Static<typeof TraineeFlagSchema>

/**
 * Everything the trainee's page shows, closed: the response schema of the trainee's state, so a field that is
 * not listed here cannot reach the trainee even if the view grew one by mistake.
 */
export const TraineeViewSchema = Type.Object(
  {
    trainee: Str,
    /** `preparing`: the drill is not running yet; `on-call`: nothing has paged; `paged`; `over`. */
    status: Type.Union([
      Type.Literal('preparing'),
      Type.Literal('on-call'),
      Type.Literal('paged'),
      Type.Literal('over'),
    ]),
    /** The facilitator paused the drill (the release holds; the shop and its traffic go on). */
    paused: Type.Boolean(),
    page: Type.Union([
      Type.Object(
        {
          alert: Str,
          severity: Str,
          summary: Str,
          description: Str,
          startsAt: Str,
          slos: Type.Array(Str),
          runbook: NullableStr,
          acknowledgedBy: NullableStr,
        },
        Closed,
      ),
      Type.Null(),
    ]),
    deploys: Type.Array(
      Type.Object(
        { at: Str, commit: Str, artifact: NullableStr, environment: NullableStr, dark: Type.Boolean() },
        Closed,
      ),
    ),
    /** Every flag change in the audit log, newest first. */
    flagChanges: Type.Array(
      Type.Object({ at: Str, flag: Str, actor: Str, from: Str, to: Str, reason: Str }, Closed),
    ),
    flags: Type.Union([Type.Array(TraineeFlagSchema), Type.Null()]),
    channel: Type.Array(
      Type.Object(
        { at: Str, by: Str, kind: Type.Union([Type.Literal('status'), Type.Literal('hint')]), text: Str },
        Closed,
      ),
    ),
    dashboards: Type.Object(
      {
        objective: Type.Number(),
        /** Unix seconds at each interval's end. */
        t: Type.Array(Type.Number()),
        requestRate: Type.Array(Type.Number()),
        errorRatio: Series,
        availability: Series,
        latencyP50Ms: Series,
        latencyP99Ms: Series,
      },
      Closed,
    ),
  },
  Closed,
)
export type TraineeView = Static<typeof TraineeViewSchema>
