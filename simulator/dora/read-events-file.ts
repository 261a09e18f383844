import { readFile } from 'node:fs/promises'
import { Value } from '@sinclair/typebox/value'
import { fieldPath, quoteValue } from '../../services/platform/schema-problems.ts'
import { DoraEventsInvalidError, DoraEventsUnreadableError } from './dora-errors.ts'
import { type DoraEvents, DoraEventsSchema } from './dora-events.ts'
import { parseFourkeysCsv } from './parse-fourkeys-csv.ts'

/**
 * Reads DORA events in fourkeys' table shapes: JSON (`{ changes, deployments, incidents }`, as `firedrill dora
 * --json` prints under `tables`, or the bare tables) or CSV as `firedrill dora --csv` prints it (a file whose
 * first line starts with `#`). An unreadable file is `FIREDRILL_DORA_EVENTS_UNREADABLE`; a wrong field is
 * `FIREDRILL_DORA_EVENTS_INVALID`, naming the file and the field (both exit 2).
 */
export async function readEventsFile(file: string): Promise<DoraEvents> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new DoraEventsUnreadableError(file, (err as Error).message, err)
  }
  if (text.trimStart().startsWith('#')) return parseEvents(parseFourkeysCsv(text, file), file)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new DoraEventsUnreadableError(file, 'it is neither JSON nor fourkeys CSV', err)
  }
  return parseEvents(value, file)
}

/** `readEventsFile` on a value already parsed; `file` names the source in errors. */
export function parseEvents(value: unknown, file: string): DoraEvents {
  const tables =
    value !== null && typeof value === 'object' && 'tables' in value
      ? (value as { tables: unknown }).tables
      : value
  const first = Value.Errors(DoraEventsSchema, tables).First()
  if (first !== undefined) {
    throw new DoraEventsInvalidError(
      file,
      fieldPath(first.path),
      `${first.message} (got ${quoteValue(first.value)})`,
    )
  }
  const events = tables as DoraEvents
  const times: [string, string | null][] = [
    ...events.changes.map((c, i): [string, string] => [`changes[${i}].time_created`, c.time_created]),
    ...events.deployments.map((d, i): [string, string] => [`deployments[${i}].time_created`, d.time_created]),
    ...events.incidents.flatMap((x, i): [string, string | null][] => [
      [`incidents[${i}].time_created`, x.time_created],
      [`incidents[${i}].time_resolved`, x.time_resolved],
    ]),
  ]
  for (const [field, time] of times) {
    if (time !== null && Number.isNaN(Date.parse(time)))
      throw new DoraEventsInvalidError(file, field, `must be an ISO-8601 instant (got ${quoteValue(time)})`)
  }
  const deployIds = new Set<string>()
  events.deployments.forEach((d, i) => {
    if (deployIds.has(d.deploy_id))
      throw new DoraEventsInvalidError(
        file,
        `deployments[${i}].deploy_id`,
        `repeats ${quoteValue(d.deploy_id)}`,
      )
    deployIds.add(d.deploy_id)
  })
  return events
}
