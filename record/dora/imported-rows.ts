import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import { DoraEventsInvalidError } from './dora-errors.ts'
import {
  DeploymentResultSchema,
  type DoraChange,
  type DoraDeployment,
  type DoraIncident,
  PRODUCTION,
} from './dora-events.ts'
import { importedInstant } from './imported-instant.ts'

/**
 * The rows a team's own history may hold, table by table. Only what a metric needs is required (an id and a
 * creation time); every other field may be missing or null. Besides firedrill's own columns, each table takes
 * fourkeys' columns as its queries write them: `changes` has `source` and `event_type`; `deployments` has
 * `source`, `main_commit` (the trunk commit) and no environment or result (fourkeys keeps only successful
 * production deployments); `incidents` has `source` and `changes`, the root-cause changes.
 */
const Id = Type.String({ minLength: 1 })
const Time = Type.String({ minLength: 1, expected: 'an ISO-8601 instant' })
const Ids = Type.Array(Id, { expected: 'a list of ids like ["abc123"]' })
const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))

export const ImportedChangeSchema = Type.Object(
  {
    change_id: Id,
    time_created: Time,
    source: Maybe(Type.String()),
    event_type: Maybe(Type.String()),
    fixes_incidents: Maybe(Ids),
  },
  { additionalProperties: false },
)

export const ImportedDeploymentSchema = Type.Object(
  {
    deploy_id: Id,
    time_created: Time,
    environment: Maybe(Id),
    changes: Maybe(Ids),
    artifact: Maybe(Type.String()),
    commit: Maybe(Type.String()),
    main_commit: Maybe(Type.String()),
    source: Maybe(Type.String()),
    result: Maybe(DeploymentResultSchema),
  },
  { additionalProperties: false },
)

export const ImportedIncidentSchema = Type.Object(
  {
    incident_id: Id,
    time_created: Time,
    time_resolved: Maybe(Time),
    root_cause: Maybe(Id),
    deployment_id: Maybe(Id),
    changes: Maybe(Ids),
    source: Maybe(Type.String()),
  },
  { additionalProperties: false },
)

export const IMPORTED_ROW_SCHEMAS = {
  changes: ImportedChangeSchema,
  deployments: ImportedDeploymentSchema,
  incidents: ImportedIncidentSchema,
} as const

export type TableName = keyof typeof IMPORTED_ROW_SCHEMAS
export const TABLE_NAMES = Object.keys(IMPORTED_ROW_SCHEMAS) as TableName[]

/** The columns a table takes on import. */
export function importedColumns(table: TableName): string[] {
  return Object.keys(IMPORTED_ROW_SCHEMAS[table].properties)
}

/** One row as read, with where it was: `line 7` (CSV, JSON lines), `row 3` (a JSON list) or `deployments[2]`. */
export interface ImportedRow {
  value: unknown
  where: string
}

/** A field of a row, as errors name it: `line 7 time_created`, `deployments[2].time_created`. */
export function fieldAt(where: string, path: string): string {
  if (path === '(root)') return where
  return /^(line|row) /.test(where) ? `${where} ${path}` : `${where}.${path}`
}

/** An incident from fourkeys' `incidents` table: linked to a deployment by its root-cause changes. */
export interface ImportedIncident {
  incident: DoraIncident
  rootCauses: string[]
}

function checked<T extends TSchema>(schema: T, row: ImportedRow, file: string): Static<T> {
  const [problem] = schemaProblems(schema, row.value)
  if (problem !== undefined)
    throw new DoraEventsInvalidError(
      file,
      fieldAt(row.where, problem.path),
      `${problem.expected} (got ${problem.got})`,
    )
  return row.value as Static<T>
}

function instant(text: string, row: ImportedRow, field: string, file: string): string {
  const iso = importedInstant(text)
  if (iso === undefined)
    throw new DoraEventsInvalidError(
      file,
      fieldAt(row.where, field),
      `must be an ISO-8601 instant like 2026-01-31T12:00:00Z, or BigQuery's 2026-01-31 12:00:00 UTC (got ${JSON.stringify(text)})`,
    )
  return iso
}

export function importChange(row: ImportedRow, file: string): DoraChange {
  const value = checked(ImportedChangeSchema, row, file)
  return {
    change_id: value.change_id,
    time_created: instant(value.time_created, row, 'time_created', file),
    source: value.source ?? '',
    ...(value.fixes_incidents ? { fixes_incidents: value.fixes_incidents } : {}),
  }
}

export function importDeployment(row: ImportedRow, file: string): DoraDeployment {
  const value = checked(ImportedDeploymentSchema, row, file)
  const commit = value.commit ?? value.main_commit
  return {
    deploy_id: value.deploy_id,
    environment: value.environment ?? PRODUCTION,
    time_created: instant(value.time_created, row, 'time_created', file),
    changes: value.changes ?? [],
    ...(value.artifact ? { artifact: value.artifact } : {}),
    ...(commit ? { commit } : {}),
    result: value.result ?? 'success',
  }
}

export function importIncident(row: ImportedRow, file: string): ImportedIncident {
  const value = checked(ImportedIncidentSchema, row, file)
  const rootCauses = value.changes ?? []
  return {
    incident: {
      incident_id: value.incident_id,
      time_created: instant(value.time_created, row, 'time_created', file),
      time_resolved:
        value.time_resolved == null ? null : instant(value.time_resolved, row, 'time_resolved', file),
      root_cause: value.root_cause ?? rootCauses[0] ?? null,
      deployment_id: value.deployment_id ?? null,
    },
    rootCauses: value.deployment_id == null ? rootCauses : [],
  }
}
