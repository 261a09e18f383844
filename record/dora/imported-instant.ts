/**
 * BigQuery's text for a TIMESTAMP (`2024-01-23 16:12:12.123456 UTC`, as its CSV and JSON exports write it),
 * and the forms fourkeys' `multiFormatParseTimestamp` reads (`2022-01-05 04:36:28 -0800`,
 * `2022-01-18 05:35:35.320020`): a date, a space, a time, then an optional zone; no zone means UTC.
 */
const BIGQUERY_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?(?: ?(UTC|Z|[+-]\d{2}(?::?\d{2})?))?$/

/**
 * An imported time as an ISO-8601 instant: an ISO-8601 text is kept as written; BigQuery's text is turned into
 * ISO-8601 (UTC); anything else is undefined.
 */
export function importedInstant(text: string): string | undefined {
  const bigquery = BIGQUERY_TIME.exec(text.trim())
  if (bigquery !== null) {
    const [, date, time, fraction = '', zone = 'UTC'] = bigquery
    const offset = zone === 'UTC' || zone === 'Z' ? 'Z' : zoneOffset(zone)
    const ms = Date.parse(`${date}T${time}${fraction.slice(0, 4)}${offset}`)
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
  }
  return ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text)) ? text : undefined
}

/** A date, or a date and time with its zone (a time without one would be read as local time). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i

/** `-0800` / `+01` / `+01:00` → `-08:00` / `+01:00`. */
function zoneOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '')
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`
}
