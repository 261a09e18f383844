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

export const TraineeLogLineSchema = Type.Object(
  {
    at: Str,
    level: Type.Union(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => Type.Literal(l))),
    /** The service and instance that wrote it (`api production-0`, `worker 0`, `flags`). */
    source: Str,
    message: Str,
    /** The line's fields an on-call engineer reads, as `key=value` words. */
    fields: Str,
  },
  Closed,
)
export type TraineeLogLine = Static<typeof TraineeLogLineSchema>

/** The payment provider's public status page. */
export const TraineeProviderSchema = Type.Object(
  {
    status: Type.Union([
      Type.Literal('operational'),
      Type.Literal('degraded'),
      Type.Literal('partial-outage'),
      Type.Literal('major-outage'),
    ]),
    summary: Str,
    /** Since when the page has said so (as first seen). */
    since: Str,
  },
  Closed,
)
export type TraineeProvider = Static<typeof TraineeProviderSchema>

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
    /** Production's fulfilment queue: paused or running, and the pause standing now (who, since when, why). */
    queue: Type.Object(
      { paused: Type.Boolean(), by: NullableStr, since: NullableStr, reason: NullableStr },
      Closed,
    ),
    /** The payment provider's status page; null until the console has read it. */
    provider: Type.Union([TraineeProviderSchema, Type.Null()]),
    /** The shop's latest structured log lines, oldest first. */
    logs: Type.Array(TraineeLogLineSchema),
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
        /** The fulfilment queue's depth (waiting + active jobs), sampled once a second at `queueT` (Unix s). */
        queueT: Type.Array(Type.Number()),
        queueDepth: Type.Array(Type.Number()),
      },
      Closed,
    ),
  },
  Closed,
)
export type TraineeView = Static<typeof TraineeViewSchema>
