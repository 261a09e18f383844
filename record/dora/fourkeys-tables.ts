import type { DoraEvents } from './dora-events.ts'

/** The three fourkeys tables as JSON: `{ changes, deployments, incidents }`, each row with every column. */
export function toFourkeysTables(events: DoraEvents): DoraEvents {
  return {
    changes: events.changes.map((c) => ({ ...c, fixes_incidents: c.fixes_incidents ?? [] })),
    deployments: events.deployments.map((d) => ({
      ...d,
      artifact: d.artifact ?? '',
      commit: d.commit ?? '',
    })),
    incidents: events.incidents.map((i) => ({ ...i })),
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. Arrays as JSON. */
export function csvField(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : Array.isArray(value) ? JSON.stringify(value) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** Rows as RFC 4180 CSV: a header line, then one CRLF-terminated line per row, columns in `columns` order. */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [columns.join(',')]
  for (const row of rows) {
    const record = row as Record<string, unknown>
    lines.push(columns.map((c) => csvField(record[c])).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}

export const FOURKEYS_COLUMNS = {
  changes: ['change_id', 'time_created', 'source', 'fixes_incidents'],
  deployments: ['deploy_id', 'environment', 'time_created', 'changes', 'artifact', 'result', 'commit'],
  incidents: ['incident_id', 'time_created', 'time_resolved', 'root_cause', 'deployment_id'],
} as const

/** The three tables as CSV, one `# table` header line before each, separated by a blank line. */
export function toFourkeysCsv(events: DoraEvents): string {
  const tables = toFourkeysTables(events)
  return (Object.keys(FOURKEYS_COLUMNS) as (keyof typeof FOURKEYS_COLUMNS)[])
    .map((name) => `# ${name}\r\n${toCsv(FOURKEYS_COLUMNS[name], tables[name])}`)
    .join('\r\n')
}
