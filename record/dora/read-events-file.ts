import { readFile } from 'node:fs/promises'
import { DoraEventsInvalidError, DoraEventsUnreadableError } from './dora-errors.ts'
import { type DoraDeployment, type DoraEvents, type DoraIncident, PRODUCTION } from './dora-events.ts'
import { isEventsRawRow, tablesFromEventsRaw } from './fourkeys-events-raw.ts'
import {
  fieldAt,
  type ImportedIncident,
  type ImportedRow,
  importChange,
  importDeployment,
  importIncident,
} from './imported-rows.ts'
import { mergeChanges } from './merge-changes.ts'
import { type ImportedRows, noRows, parseFourkeysCsv } from './parse-fourkeys-csv.ts'

const BOM = '\uFEFF'

/** One file's events before the files are put together: incidents still to link by their root causes. */
interface FileEvents {
  file: string
  events: DoraEvents
  unlinked: ImportedIncident[]
  deploymentsAt: string[]
}

/**
 * Reads DORA events from a team's own history, one file or several (a BigQuery export per table), put
 * together: the changes, deployments and incidents tables in firedrill's or fourkeys' shapes, or fourkeys'
 * `events_raw` rows, which are turned into the three tables as fourkeys' queries do. A file is JSON (`{changes,
 * deployments, incidents, events_raw}` with any of them, the same under `tables` as `firedrill dora --json`
 * prints it, or a list of rows), JSON lines (BigQuery's newline-delimited export) or CSV (`firedrill dora
 * --csv`'s, or one table with a header row); a byte-order mark (as Excel writes) is skipped. A row's table is
 * told by its id column. Only ids and creation times are required. An incident from fourkeys' `incidents`
 * table or from `events_raw` links to the first production deployment carrying one of its root-cause changes.
 * An unreadable file is `FIREDRILL_DORA_EVENTS_UNREADABLE`; a wrong field is `FIREDRILL_DORA_EVENTS_INVALID`,
 * naming the file, the line or row, and the field (both exit 2).
 */
export async function readEventsFiles(files: readonly string[]): Promise<DoraEvents> {
  const read: FileEvents[] = []
  for (const file of files) read.push(eventsOfFile(await rowsOfFile(file), file))
  return joinFiles(read)
}

/** {@link readEventsFiles} for one file. */
export function readEventsFile(file: string): Promise<DoraEvents> {
  return readEventsFiles([file])
}

/** The events in one file's rows (as `parseFourkeysCsv` or {@link rowsOfJson} give them); `file` names the source. */
export function eventsFromRows(rows: ImportedRows, file: string): DoraEvents {
  return joinFiles([eventsOfFile(rows, file)])
}

/** {@link readEventsFile} on a JSON value already parsed; `file` names the source in errors. */
export function parseEvents(value: unknown, file: string): DoraEvents {
  return eventsFromRows(rowsOfJson(value, file), file)
}

async function rowsOfFile(file: string): Promise<ImportedRows> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new DoraEventsUnreadableError(file, (err as Error).message, err)
  }
  if (text.startsWith(BOM)) text = text.slice(1)
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[') return parseFourkeysCsv(text, file)
  try {
    const value: unknown = JSON.parse(text)
    // One line of JSON lines parses as JSON too: a row, not an object of tables.
    if (start === '{' && !['tables', ...TABLES].some((key) => key in (value as object)))
      return rowsOfJsonLines(text, file)
    return rowsOfJson(value, file)
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err
    if (start === '{') return rowsOfJsonLines(text, file)
    throw new DoraEventsUnreadableError(file, `it is not JSON (${err.message})`, err)
  }
}

const TABLES = ['changes', 'deployments', 'incidents', 'events_raw'] as const

/** Rows from a JSON value: an object of tables (perhaps under `tables`), or a list of rows. */
export function rowsOfJson(value: unknown, file: string): ImportedRows {
  if (Array.isArray(value))
    return rowsByIdColumn(
      value.map((row, i) => ({ value: row, where: `row ${i + 1}` })),
      file,
    )
  if (typeof value !== 'object' || value === null)
    throw new DoraEventsInvalidError(
      file,
      '(root)',
      'must be an object of tables like {"deployments": [...]}, or a list of rows',
    )
  const tables = 'tables' in value ? (value as { tables: unknown }).tables : value
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables))
    throw new DoraEventsInvalidError(
      file,
      'tables',
      'must be an object of tables like {"deployments": [...]}',
    )
  const rows = noRows()
  const entries = Object.entries(tables)
  for (const [name, list] of entries) {
    if (!(TABLES as readonly string[]).includes(name))
      throw new DoraEventsInvalidError(file, name, `is not a table (known: ${TABLES.join(', ')})`)
    if (!Array.isArray(list)) throw new DoraEventsInvalidError(file, name, 'must be a list of rows')
    rows[name as keyof ImportedRows] = list.map((row, i) => ({ value: row, where: `${name}[${i}]` }))
  }
  if (entries.length === 0)
    throw new DoraEventsInvalidError(file, '(root)', `holds no table (known: ${TABLES.join(', ')})`)
  return rows
}

/** BigQuery's newline-delimited JSON export: one row per line. */
function rowsOfJsonLines(text: string, file: string): ImportedRows {
  const rows: ImportedRow[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return
    try {
      rows.push({ value: JSON.parse(line), where: `line ${i + 1}` })
    } catch (err) {
      throw new DoraEventsUnreadableError(
        file,
        `line ${i + 1} is not JSON (${(err as Error).message}); it is neither JSON, JSON lines nor fourkeys CSV`,
        err,
      )
    }
  })
  return rowsByIdColumn(rows, file)
}

function rowsByIdColumn(list: readonly ImportedRow[], file: string): ImportedRows {
  const rows = noRows()
  for (const row of list) {
    const value = row.value
    const has = (key: string) => typeof value === 'object' && value !== null && key in value
    const table = isEventsRawRow(value)
      ? 'events_raw'
      : has('change_id')
        ? 'changes'
        : has('deploy_id')
          ? 'deployments'
          : has('incident_id')
            ? 'incidents'
            : undefined
    if (table === undefined)
      throw new DoraEventsInvalidError(
        file,
        row.where,
        "has none of change_id, deploy_id, incident_id, or events_raw's event_type and metadata, so it belongs to no table",
      )
    rows[table].push(row)
  }
  return rows
}

function eventsOfFile(rows: ImportedRows, file: string): FileEvents {
  const raw = tablesFromEventsRaw(rows.events_raw, file)
  const incidents = [...rows.incidents.map((row) => importIncident(row, file)), ...raw.incidents]
  const deployments = rows.deployments.map((row) => importDeployment(row, file))
  return {
    file,
    events: {
      changes: mergeChanges(
        rows.changes.map((row) => importChange(row, file)),
        raw.changes,
      ),
      deployments: [...deployments, ...raw.deployments],
      incidents: incidents.map((i) => i.incident),
    },
    unlinked: incidents.filter((i) => i.rootCauses.length > 0),
    deploymentsAt: [
      ...rows.deployments.map((row) => fieldAt(row.where, 'deploy_id')),
      ...raw.deployments.map((d) => `events_raw id ${JSON.stringify(d.deploy_id)}`),
    ],
  }
}

function joinFiles(files: readonly FileEvents[]): DoraEvents {
  const deployments: DoraDeployment[] = []
  const seen = new Set<string>()
  for (const { file, events, deploymentsAt } of files)
    events.deployments.forEach((d, i) => {
      if (seen.has(d.deploy_id))
        throw new DoraEventsInvalidError(file, deploymentsAt[i]!, `repeats ${JSON.stringify(d.deploy_id)}`)
      seen.add(d.deploy_id)
      deployments.push(d)
    })
  const byTime = deployments
    .filter((d) => d.environment === PRODUCTION)
    .sort((a, b) => Date.parse(a.time_created) - Date.parse(b.time_created))
  const linked = new Map<DoraIncident, string>()
  for (const { incident, rootCauses } of files.flatMap((f) => f.unlinked)) {
    const carrier = byTime.find((d) => d.changes.some((c) => rootCauses.includes(c)))
    if (carrier !== undefined) linked.set(incident, carrier.deploy_id)
  }
  return {
    changes: mergeChanges(...files.map((f) => f.events.changes)),
    deployments,
    incidents: files.flatMap((f) =>
      f.events.incidents.map((i) => (linked.has(i) ? { ...i, deployment_id: linked.get(i)! } : i)),
    ),
  }
}
