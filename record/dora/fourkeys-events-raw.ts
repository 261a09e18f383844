import { Type } from '@sinclair/typebox'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import { DoraEventsInvalidError } from './dora-errors.ts'
import type { DoraChange, DoraDeployment } from './dora-events.ts'
import { PRODUCTION } from './dora-events.ts'
import { importedInstant } from './imported-instant.ts'
import { fieldAt, type ImportedIncident, type ImportedRow } from './imported-rows.ts'

/** A row of fourkeys' `events_raw` table, as its BigQuery export gives it (`metadata` is the webhook's JSON text). */
export const EventsRawRowSchema = Type.Object(
  {
    event_type: Type.String({ minLength: 1 }),
    id: Type.String({ minLength: 1 }),
    metadata: Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())], {
      expected: "the webhook's JSON",
    }),
    time_created: Type.String({ minLength: 1, expected: 'an ISO-8601 instant' }),
    signature: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    msg_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    source: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
)

export const EVENTS_RAW_COLUMNS = Object.keys(EventsRawRowSchema.properties)

/** Whether a row read from a file is an `events_raw` row rather than a row of one of the three tables. */
export function isEventsRawRow(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'event_type' in value && 'metadata' in value
}

interface RawEvent {
  eventType: string
  id: string
  source: string
  time: string
  text: string
  metadata: Json
  where: string
}

type Json = unknown

export interface EventsRawTables {
  changes: DoraChange[]
  deployments: DoraDeployment[]
  incidents: ImportedIncident[]
}

/**
 * fourkeys' three tables from its `events_raw` rows, as its queries build them (`queries/changes.sql`,
 * `deployments.sql` and `incidents.sql` in dora-team/fourkeys):
 * - a change per commit of each `push` event (`metadata.commits[].id`, at its `timestamp` to the second);
 * - a deployment per successful deployment event, by source: Cloud Build (`status` SUCCESS,
 *   `substitutions.COMMIT_SHA`), GitHub (`deployment_status` with state success, `deployment.sha` and
 *   `deployment.additional_sha`), GitLab (a successful `pipeline` or `deployment`, `commit.id` or the sha in
 *   `commit_url`), Argo CD (`status` SUCCESS, `commit_sha`), Tekton (`pipelinerun.successful`, the
 *   `gitrevision` param) and CircleCI (a successful `workflow-completed` whose workflow name holds "deploy",
 *   `pipeline.vcs.revision`); it carries the commits of the push events whose id is its commit;
 * - an incident per GitHub issue or GitLab issue labelled "Incident", and per PagerDuty incident, from its first
 *   creation (or the deployment of its root cause, when earlier) to its last resolution; its root causes are
 *   the `root cause: <sha>` mentions in its events.
 * Unlike fourkeys, a deployment whose commit has no push event is kept (with no changes), so it still counts
 * and `--repo` can fill its changes from git. Rows that match no rule are left out, as fourkeys leaves them.
 */
export function tablesFromEventsRaw(rows: readonly ImportedRow[], file: string): EventsRawTables {
  const events = rows.map((row) => rawEvent(row, file))
  const changes = new Map<string, DoraChange>()
  const commitsOfEvent = new Map<string, string[]>()
  for (const event of events) {
    const commits = arrayAt(event.metadata, 'commits')
    const ids = commits.map((c) => stringAt(c, 'id')).filter((id): id is string => id !== undefined)
    if (ids.length > 0) commitsOfEvent.set(event.id, [...(commitsOfEvent.get(event.id) ?? []), ...ids])
    if (event.eventType !== 'push') continue
    commits.forEach((commit, i) => {
      const id = stringAt(commit, 'id')
      const stamp = stringAt(commit, 'timestamp')
      if (id === undefined || stamp === undefined || changes.has(id)) return
      const time = instantAt(stamp, event.where, `metadata.commits[${i}].timestamp`, file)
      changes.set(id, { change_id: id, time_created: toSecond(time), source: event.source })
    })
  }
  const deployments: DoraDeployment[] = []
  for (const event of events) {
    const deployed = deploymentOf(event)
    if (deployed === undefined) continue
    const carried = [deployed.commit, ...deployed.additional].flatMap((sha) => commitsOfEvent.get(sha) ?? [])
    deployments.push({
      deploy_id: event.id,
      environment: PRODUCTION,
      time_created: event.time,
      changes: [...new Set(carried)],
      ...(deployed.commit === '' ? {} : { commit: deployed.commit }),
      result: 'success',
    })
  }
  return { changes: [...changes.values()], deployments, incidents: incidentsOf(events, deployments, file) }
}

function rawEvent(row: ImportedRow, file: string): RawEvent {
  const [problem] = schemaProblems(EventsRawRowSchema, row.value)
  if (problem !== undefined)
    throw new DoraEventsInvalidError(
      file,
      fieldAt(row.where, problem.path),
      `${problem.expected} (got ${problem.got})`,
    )
  const value = row.value as {
    event_type: string
    id: string
    metadata: string | object
    time_created: string
    source: string
  }
  let metadata: Json = value.metadata
  const text = typeof value.metadata === 'string' ? value.metadata : JSON.stringify(value.metadata)
  if (typeof value.metadata === 'string') {
    try {
      metadata = JSON.parse(value.metadata)
    } catch {
      throw new DoraEventsInvalidError(
        file,
        fieldAt(row.where, 'metadata'),
        "must be the webhook's JSON, as fourkeys stores it (it does not parse as JSON)",
      )
    }
  }
  return {
    eventType: value.event_type,
    id: value.id,
    source: value.source,
    time: instantAt(value.time_created, row.where, 'time_created', file),
    text,
    metadata,
    where: row.where,
  }
}

interface Deployed {
  commit: string
  additional: string[]
}

/** The deployment an event records, by fourkeys' rules for its source; undefined when it records none. */
function deploymentOf(event: RawEvent): Deployed | undefined {
  const { source, eventType, metadata: m } = event
  const one = (commit: string | undefined) => ({ commit: commit ?? '', additional: [] })
  if (source === 'cloud_build' && stringAt(m, 'status') === 'SUCCESS')
    return one(stringAt(m, 'substitutions.COMMIT_SHA'))
  if (
    source.startsWith('github') &&
    eventType === 'deployment_status' &&
    stringAt(m, 'deployment_status.state') === 'success'
  )
    return {
      commit: stringAt(m, 'deployment.sha') ?? '',
      additional: arrayAt(m, 'deployment.additional_sha').filter((s): s is string => typeof s === 'string'),
    }
  const gitlabDone =
    (eventType === 'pipeline' && stringAt(m, 'object_attributes.status') === 'success') ||
    (eventType === 'deployment' && stringAt(m, 'status') === 'success')
  if (source.startsWith('gitlab') && gitlabDone)
    return one(stringAt(m, 'commit.id') ?? /.*commit\/(.*)/.exec(stringAt(m, 'commit_url') ?? '')?.[1])
  if (source === 'argocd' && stringAt(m, 'status') === 'SUCCESS') return one(stringAt(m, 'commit_sha'))
  if (eventType === 'dev.tekton.event.pipelinerun.successful.v1' && event.text.includes('gitrevision')) {
    const param = arrayAt(m, 'data.pipelineRun.spec.params').find(
      (p) => stringAt(p, 'name') === 'gitrevision',
    )
    return param === undefined ? undefined : one(stringAt(param, 'value'))
  }
  if (
    source === 'circleci' &&
    eventType === 'workflow-completed' &&
    (stringAt(m, 'workflow.name') ?? '').includes('deploy') &&
    stringAt(m, 'workflow.status') === 'success'
  )
    return one(stringAt(m, 'pipeline.vcs.revision'))
  return undefined
}

interface IssueEvent {
  key: string
  id: string
  created: number | undefined
  resolved: number | undefined
  rootCause: string | undefined
  bug: boolean
}

function incidentsOf(events: readonly RawEvent[], deployments: readonly DoraDeployment[], file: string) {
  const issues = events.flatMap((event) => issueEventOf(event, file) ?? [])
  const deployedAt = new Map<string, number[]>()
  for (const d of deployments)
    for (const change of d.changes)
      deployedAt.set(change, [...(deployedAt.get(change) ?? []), Date.parse(d.time_created)])
  const grouped = new Map<string, IssueEvent[]>()
  for (const issue of issues) grouped.set(issue.key, [...(grouped.get(issue.key) ?? []), issue])
  const incidents: ImportedIncident[] = []
  for (const group of grouped.values()) {
    if (!group.some((issue) => issue.bug)) continue
    const starts = group.flatMap((issue) => {
      const roots = issue.rootCause === undefined ? [] : (deployedAt.get(issue.rootCause) ?? [])
      if (issue.created === undefined) return []
      const earlier = roots.filter((t) => t < issue.created!)
      return earlier.length > 0 ? earlier : [issue.created]
    })
    if (starts.length === 0) continue
    const resolved = group.flatMap((issue) => (issue.resolved === undefined ? [] : [issue.resolved]))
    const rootCauses = [...new Set(group.flatMap((issue) => issue.rootCause ?? []))]
    incidents.push({
      incident: {
        incident_id: group[0]!.id,
        time_created: new Date(Math.min(...starts)).toISOString(),
        time_resolved: resolved.length === 0 ? null : new Date(Math.max(...resolved)).toISOString(),
        root_cause: rootCauses[0] ?? null,
        deployment_id: null,
      },
      rootCauses,
    })
  }
  return incidents
}

/** What an issue, note or incident event says of its incident, by fourkeys' rules; undefined for other events. */
function issueEventOf(event: RawEvent, file: string): IssueEvent | undefined {
  const { source, eventType, metadata: m } = event
  const isNote = eventType === 'note' && stringAt(m, 'object_attributes.noteable_type') === 'Issue'
  if (!eventType.startsWith('issue') && !eventType.startsWith('incident') && !isNote) return undefined
  let id: string | undefined
  let created: string | undefined
  let resolved: string | undefined
  let bug = false
  let at = ''
  if (source.startsWith('github')) {
    id = scalarAt(m, 'issue.number')
    ;[created, resolved, at] = [stringAt(m, 'issue.created_at'), stringAt(m, 'issue.closed_at'), 'issue']
    bug = arrayAt(m, 'issue.labels').some((label) => stringAt(label, 'name') === 'Incident')
  } else if (source.startsWith('gitlab')) {
    id = scalarAt(m, eventType === 'note' ? 'object_attributes.noteable_id' : 'object_attributes.id')
    ;[created, resolved, at] = [
      stringAt(m, 'object_attributes.created_at'),
      stringAt(m, 'object_attributes.closed_at'),
      'object_attributes',
    ]
    bug = arrayAt(m, 'object_attributes.labels').some((label) => stringAt(label, 'title') === 'Incident')
  } else if (source.startsWith('pagerduty')) {
    id = scalarAt(m, 'event.data.id')
    created = resolved = stringAt(m, 'event.occurred_at')
    at = 'event'
    bug = true
  }
  if (id === undefined) return undefined
  const time = (text: string | undefined, field: string) =>
    text === undefined ? undefined : Date.parse(instantAt(text, event.where, `metadata.${at}.${field}`, file))
  const rootCause = /root cause: ([A-Za-z0-9]*)/.exec(event.text)?.[1]
  return {
    key: `${source}\u0000${id}`,
    id,
    created: time(created, at === 'event' ? 'occurred_at' : 'created_at'),
    resolved: time(resolved, at === 'event' ? 'occurred_at' : 'closed_at'),
    rootCause: rootCause === '' ? undefined : rootCause,
    bug,
  }
}

function valueAt(json: Json, path: string): Json {
  let value = json
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    value = (value as Record<string, Json>)[part]
  }
  return value
}

/** A string at a JSON path; BigQuery's JSON_EXTRACT_SCALAR. */
function stringAt(json: Json, path: string): string | undefined {
  const value = valueAt(json, path)
  return typeof value === 'string' ? value : undefined
}

/** A string or number at a JSON path, as text (an issue number). */
function scalarAt(json: Json, path: string): string | undefined {
  const value = valueAt(json, path)
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

function arrayAt(json: Json, path: string): Json[] {
  const value = valueAt(json, path)
  return Array.isArray(value) ? value : []
}

function instantAt(text: string, where: string, field: string, file: string): string {
  const iso = importedInstant(text)
  if (iso === undefined)
    throw new DoraEventsInvalidError(
      file,
      fieldAt(where, field),
      `must be an ISO-8601 instant, or BigQuery's 2026-01-31 12:00:00 UTC (got ${JSON.stringify(text)})`,
    )
  return new Date(Date.parse(iso)).toISOString()
}

function toSecond(iso: string): string {
  return new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString()
}
