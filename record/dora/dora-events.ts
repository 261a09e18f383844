import { type Static, Type } from '@sinclair/typebox'
import { eventsOf, type JournalEvent } from '../journal/journal-event.ts'

/**
 * DORA's raw material in fourkeys' table shapes: `changes`, `deployments` and `incidents`. Times are ISO-8601
 * instants. Gathered from drill journals by `eventsFromJournals`, or imported from a team's own history
 * (`readEventsFile`).
 */

const IsoTime = Type.String({ minLength: 1, expected: 'an ISO-8601 instant' })

export const DoraChangeSchema = Type.Object(
  {
    change_id: Type.String({ minLength: 1 }),
    time_created: IsoTime,
    source: Type.String(),
    /** Incidents this change fixes (an action item's fix); feeds the deployment rework rate. Not a fourkeys column. */
    fixes_incidents: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
)

export const DeploymentResultSchema = Type.Union([
  Type.Literal('success'),
  Type.Literal('failure'),
  Type.Literal('rolled-back'),
])

export const DoraDeploymentSchema = Type.Object(
  {
    deploy_id: Type.String({ minLength: 1 }),
    environment: Type.String({ minLength: 1 }),
    time_created: IsoTime,
    changes: Type.Array(Type.String({ minLength: 1 })),
    artifact: Type.Optional(Type.String()),
    /**
     * The trunk commit deployed (fourkeys' `main_commit`); empty means unknown. A deployment with a commit and
     * no `changes` gets them from the trunk's history (`deriveDeploymentChanges`).
     */
    commit: Type.Optional(Type.String()),
    result: DeploymentResultSchema,
  },
  { additionalProperties: false },
)

export const DoraIncidentSchema = Type.Object(
  {
    incident_id: Type.String({ minLength: 1 }),
    time_created: IsoTime,
    time_resolved: Type.Union([IsoTime, Type.Null()]),
    /** The commit that caused it. */
    root_cause: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    deployment_id: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
)

export const DoraEventsSchema = Type.Object(
  {
    changes: Type.Array(DoraChangeSchema),
    deployments: Type.Array(DoraDeploymentSchema),
    incidents: Type.Array(DoraIncidentSchema),
  },
  { additionalProperties: false },
)

export type DoraChange = Static<typeof DoraChangeSchema>
export type DeploymentResult = Static<typeof DeploymentResultSchema>
export type DoraDeployment = Static<typeof DoraDeploymentSchema>
export type DoraIncident = Static<typeof DoraIncidentSchema>
export type DoraEvents = Static<typeof DoraEventsSchema>

export const PRODUCTION = 'production'
export const DAY_MS = 86_400_000

export interface EventsFromJournalsOptions {
  /** How long after a production deployment an incident still links to it. @defaultValue 1 day */
  incidentWindowMs?: number
  /** `source` written on every change. @defaultValue 'firedrill' */
  source?: string
}

/**
 * DORA events from drill journals, one journal per run:
 * - a change per `change.committed`, `fix.merged` and `cleanup.merged` commit, at that event's time
 *   (`fixes_incidents` names the run's incident for a fix; a flag's close-out fixes none);
 * - a production deployment per `change.deployed` in `production`, with its trunk `commit`, carrying the
 *   change commits merged (or fixes and close-outs merged) in that run and not yet deployed to production, and
 *   the commits the event itself names (`changes`); a fix or close-out that no deployment carries stays a
 *   change only;
 * - an incident per run with an `alert.fired`: from the first alert to the first `recovery.confirmed` after
 *   it (null if none), root cause the last change committed before the alert, linked to the last production
 *   deployment at or before the alert within `incidentWindowMs`.
 * A change seen in several runs is kept once, at its earliest time.
 */
export function eventsFromJournals(
  journals: readonly (readonly JournalEvent[])[],
  options: EventsFromJournalsOptions = {},
): DoraEvents {
  const windowMs = options.incidentWindowMs ?? DAY_MS
  const source = options.source ?? 'firedrill'
  const changes = new Map<string, DoraChange>()
  const deployments: DoraDeployment[] = []
  const incidents: DoraIncident[] = []
  journals.forEach((journal, index) => {
    const runId = eventsOf(journal, 'drill.started')[0]?.data.runId ?? `run-${index + 1}`
    const firstAlert = eventsOf(journal, 'alert.fired')[0]
    const incidentId = firstAlert === undefined ? null : `${runId}/incident`
    const addChange = (change: DoraChange) => {
      const known = changes.get(change.change_id)
      if (known === undefined || Date.parse(change.time_created) < Date.parse(known.time_created))
        changes.set(change.change_id, change)
    }
    const pending: string[] = []
    const runDeployments: DoraDeployment[] = []
    for (const event of journal) {
      if (event.type === 'change.committed') {
        addChange({ change_id: event.data.commit, time_created: event.at, source })
      } else if (event.type === 'change.merged') {
        pending.push(event.data.commit)
      } else if (event.type === 'fix.merged') {
        addChange({
          change_id: event.data.commit,
          time_created: event.at,
          source,
          ...(incidentId === null ? {} : { fixes_incidents: [incidentId] }),
        })
        pending.push(event.data.commit)
      } else if (event.type === 'cleanup.merged') {
        addChange({ change_id: event.data.commit, time_created: event.at, source })
        pending.push(event.data.commit)
      } else if (event.type === 'change.deployed' && event.data.environment === PRODUCTION) {
        runDeployments.push({
          deploy_id: `${runId}/${PRODUCTION}/${event.seq}`,
          environment: PRODUCTION,
          time_created: event.at,
          changes: [...new Set([...pending.splice(0), ...(event.data.changes ?? [])])],
          ...(event.data.artifact === undefined ? {} : { artifact: event.data.artifact }),
          commit: event.data.commit,
          result: 'success',
        })
      }
    }
    deployments.push(...runDeployments)
    if (firstAlert === undefined || incidentId === null) return
    const start = Date.parse(firstAlert.at)
    const recovered = eventsOf(journal, 'recovery.confirmed').find((e) => Date.parse(e.at) >= start)
    const rootCause = eventsOf(journal, 'change.committed')
      .filter((e) => e.seq < firstAlert.seq)
      .at(-1)
    incidents.push({
      incident_id: incidentId,
      time_created: firstAlert.at,
      time_resolved: recovered?.at ?? null,
      root_cause: rootCause?.data.commit ?? null,
      deployment_id: lastDeploymentBefore(runDeployments, start, windowMs)?.deploy_id ?? null,
    })
  })
  return { changes: [...changes.values()], deployments, incidents }
}

/** The last production deployment at or before `at`, no more than `windowMs` before it; undefined if none. */
export function lastDeploymentBefore(
  deployments: readonly DoraDeployment[],
  at: number,
  windowMs: number,
): DoraDeployment | undefined {
  let best: DoraDeployment | undefined
  let bestTime = Number.NEGATIVE_INFINITY
  for (const d of deployments) {
    if (d.environment !== PRODUCTION) continue
    const time = Date.parse(d.time_created)
    if (time <= at && at - time <= windowMs && time >= bestTime) {
      best = d
      bestTime = time
    }
  }
  return best
}
