import { DoraEventsInvalidError, DoraEventsUnreadableError } from './dora-errors.ts'
import { EVENTS_RAW_COLUMNS } from './fourkeys-events-raw.ts'
import { type ImportedRow, importedColumns, TABLE_NAMES, type TableName } from './imported-rows.ts'

/** What one file holds: rows of the three tables, and fourkeys `events_raw` rows. */
export type ImportedRows = Record<TableName | 'events_raw', ImportedRow[]>

export function noRows(): ImportedRows {
  return { changes: [], deployments: [], incidents: [], events_raw: [] }
}

type Target = keyof ImportedRows

/** Columns that hold a JSON list of ids; an empty cell is an empty list. */
const LIST_COLUMNS = new Set(['changes', 'fixes_incidents'])

function columnsOf(target: Target): readonly string[] {
  return target === 'events_raw' ? EVENTS_RAW_COLUMNS : importedColumns(target)
}

/** The table a bare header row (a BigQuery or spreadsheet export of one table) belongs to. */
function tableOfHeader(fields: readonly string[]): Target | undefined {
  if (fields.includes('event_type') && fields.includes('metadata')) return 'events_raw'
  if (fields.includes('change_id')) return 'changes'
  if (fields.includes('deploy_id')) return 'deployments'
  if (fields.includes('incident_id')) return 'incidents'
  return undefined
}

/**
 * Rows from CSV: either the three tables as `firedrill dora --csv` writes them (a `# changes`, `# deployments`,
 * `# incidents` or `# events_raw` line before each table's header row), or one table as BigQuery or a
 * spreadsheet exports it (a header row whose columns say which table: `change_id`, `deploy_id`,
 * `incident_id`, or events_raw's `event_type` and `metadata`). Columns come in any order; RFC 4180 fields
 * (quoted when they hold a comma, a quote or a line break; quotes doubled); CRLF or LF line ends; an empty cell
 * is a missing value. An unknown table or column, a row of the wrong width or a list that is not a JSON list is
 * `FIREDRILL_DORA_EVENTS_INVALID`, naming the file and the line (and the column).
 */
export function parseFourkeysCsv(text: string, file: string): ImportedRows {
  const rows = noRows()
  let current: { target: Target; columns: string[] } | undefined
  let awaitingHeader = true
  let sawTable = false
  for (const { fields, line } of csvRecords(text, file)) {
    if (fields.length === 1 && fields[0] === '') continue
    const marker = fields.length === 1 ? /^#\s*(\w+)$/.exec(fields[0]!) : null
    if (marker !== null) {
      const name = marker[1]!
      if (!(name in rows))
        throw new DoraEventsInvalidError(
          file,
          `line ${line}`,
          `names a table fourkeys does not have ("${name}"; known: ${Object.keys(rows).join(', ')})`,
        )
      current = { target: name as Target, columns: [] }
      awaitingHeader = true
      sawTable = true
      continue
    }
    if (awaitingHeader) {
      const target = current?.target ?? tableOfHeader(fields)
      if (target === undefined)
        throw new DoraEventsInvalidError(
          file,
          `line ${line}`,
          'is neither a "# changes" style table line nor a header row naming change_id, deploy_id, incident_id, or events_raw\'s event_type and metadata',
        )
      const known = columnsOf(target)
      const unknown = fields.find((f) => !known.includes(f))
      if (unknown !== undefined)
        throw new DoraEventsInvalidError(
          file,
          `line ${line}`,
          `has a column ${target} does not have ("${unknown}"; known: ${known.join(', ')})`,
        )
      current = { target, columns: fields }
      awaitingHeader = false
      sawTable = true
      continue
    }
    const { target, columns } = current!
    if (fields.length !== columns.length)
      throw new DoraEventsInvalidError(
        file,
        `line ${line}`,
        `has ${fields.length} fields where the ${target} header has ${columns.length}`,
      )
    rows[target].push({ value: rowOf(columns, fields, file, line), where: `line ${line}` })
  }
  if (!sawTable)
    throw new DoraEventsInvalidError(
      file,
      'line 1',
      `holds no table: start with a header row or a "# ${TABLE_NAMES[0]}" line`,
    )
  return rows
}

function rowOf(columns: readonly string[], fields: readonly string[], file: string, line: number) {
  const row: Record<string, unknown> = {}
  columns.forEach((column, i) => {
    const cell = fields[i]!
    if (LIST_COLUMNS.has(column)) row[column] = cell === '' ? [] : listOf(cell, column, file, line)
    else if (cell !== '') row[column] = cell
  })
  return row
}

function listOf(cell: string, column: string, file: string, line: number): unknown {
  try {
    return JSON.parse(cell)
  } catch {
    throw new DoraEventsInvalidError(
      file,
      `line ${line} ${column}`,
      `must be a JSON list like ["abc123"] (got ${JSON.stringify(cell)})`,
    )
  }
}

/** RFC 4180 records with the line each starts on. A quote left open at the end is unreadable. */
function* csvRecords(text: string, file: string): Generator<{ fields: string[]; line: number }> {
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let start = 1
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else {
        if (c === '\n') line++
        field += c
      }
    } else if (c === '"') quoted = true
    else if (c === ',') {
      fields.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      yield { fields, line: start }
      fields = []
      field = ''
      line++
      start = line
    } else field += c
  }
  if (quoted) throw new DoraEventsUnreadableError(file, `a quoted field opened on line ${start} never closes`)
  if (field !== '' || fields.length > 0) {
    fields.push(field)
    yield { fields, line: start }
  }
}
