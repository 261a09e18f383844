import { DoraEventsInvalidError, DoraEventsUnreadableError } from './dora-errors.ts'
import { FOURKEYS_COLUMNS } from './fourkeys-tables.ts'

type TableName = keyof typeof FOURKEYS_COLUMNS

/** Columns that hold a JSON list of ids; an empty cell is an empty list. */
const LIST_COLUMNS = new Set(['changes', 'fixes_incidents'])
/** Columns where an empty cell means null (an open incident, an unknown root cause or deployment). */
const NULLABLE_COLUMNS = new Set(['time_resolved', 'root_cause', 'deployment_id'])
/** Columns left out of a row when their cell is empty (optional in the tables). */
const OPTIONAL_COLUMNS = new Set(['artifact', 'commit', 'fixes_incidents'])

/**
 * The three fourkeys tables from CSV as `firedrill dora --csv` writes them: a `# changes`, `# deployments`
 * and `# incidents` line before each table, a header row naming its columns (in any order), RFC 4180 fields
 * (quoted when they hold a comma, a quote or a line break; quotes doubled), CRLF or LF line ends. Returns the
 * raw tables for `parseEvents` to validate. A missing table, an unknown column or a row of the wrong width is
 * `FIREDRILL_DORA_EVENTS_INVALID`, naming the file and the line.
 */
export function parseFourkeysCsv(text: string, file: string): Record<TableName, Record<string, unknown>[]> {
  const tables: Partial<Record<TableName, Record<string, unknown>[]>> = {}
  let current: { name: TableName; columns: string[] } | undefined
  let awaitingHeader = false
  for (const { fields, line } of csvRecords(text, file)) {
    if (fields.length === 1 && fields[0] === '') continue
    const marker = fields.length === 1 ? /^#\s*(\w+)$/.exec(fields[0]!) : null
    if (marker !== null) {
      const name = marker[1]!
      if (!Object.hasOwn(FOURKEYS_COLUMNS, name))
        throw new DoraEventsInvalidError(
          file,
          `line ${line}`,
          `names a table fourkeys does not have ("${name}")`,
        )
      current = { name: name as TableName, columns: [] }
      tables[current.name] = []
      awaitingHeader = true
      continue
    }
    if (current === undefined)
      throw new DoraEventsInvalidError(file, `line ${line}`, 'comes before any "# changes" style table line')
    if (awaitingHeader) {
      const known: readonly string[] = FOURKEYS_COLUMNS[current.name]
      const unknown = fields.find((f) => !known.includes(f))
      if (unknown !== undefined)
        throw new DoraEventsInvalidError(
          file,
          `line ${line}`,
          `has a column ${current.name} does not have ("${unknown}"; known: ${known.join(', ')})`,
        )
      current.columns = fields
      awaitingHeader = false
      continue
    }
    if (fields.length !== current.columns.length)
      throw new DoraEventsInvalidError(
        file,
        `line ${line}`,
        `has ${fields.length} fields where the ${current.name} header has ${current.columns.length}`,
      )
    tables[current.name]!.push(rowOf(current.columns, fields, file, line))
  }
  for (const name of Object.keys(FOURKEYS_COLUMNS) as TableName[]) {
    if (tables[name] === undefined)
      throw new DoraEventsInvalidError(file, name, `is missing: add a "# ${name}" line and its header row`)
  }
  return tables as Record<TableName, Record<string, unknown>[]>
}

function rowOf(columns: readonly string[], fields: readonly string[], file: string, line: number) {
  const row: Record<string, unknown> = {}
  columns.forEach((column, i) => {
    const cell = fields[i]!
    if (cell === '' && OPTIONAL_COLUMNS.has(column)) return
    if (LIST_COLUMNS.has(column)) row[column] = cell === '' ? [] : listOf(cell, column, file, line)
    else row[column] = cell === '' && NULLABLE_COLUMNS.has(column) ? null : cell
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
