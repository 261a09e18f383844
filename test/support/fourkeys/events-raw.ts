/**
 * A team's fourkeys `events_raw` rows, shaped as fourkeys' GitHub, Cloud Build and PagerDuty parsers store them
 * (dora-team/fourkeys `setup/events_raw_schema.json`: event_type, id, metadata as the webhook's JSON text,
 * time_created, signature, msg_id, source) and as BigQuery's exports write them.
 *
 * Story: two pushes (a1 with commits c1, c2; b1 with c3); GitHub deploys a1 (success; an earlier status of the
 * same deployment is pending), Cloud Build deploys b1; issue #7, labelled Incident, says "root cause: c3" and
 * is closed 2 h after it opened; a plain issue #8 is no incident; PagerDuty incident PX1 triggers and resolves.
 */
export interface EventsRawRow {
  event_type: string
  id: string
  metadata: string
  time_created: string
  signature: string | null
  msg_id: string
  source: string
}

const row = (
  event_type: string,
  id: string,
  source: string,
  time: string,
  metadata: object,
): EventsRawRow => ({
  event_type,
  id,
  metadata: JSON.stringify(metadata),
  time_created: time,
  signature: 'sha1=5f3c',
  msg_id: `msg-${id}-${event_type}`,
  source,
})

export const EVENTS_RAW: EventsRawRow[] = [
  row('push', 'a1', 'github', '2026-03-02 09:00:00 UTC', {
    head_commit: { id: 'a1' },
    commits: [
      { id: 'c1', timestamp: '2026-03-02T08:00:00.400+01:00', message: 'feat: new pricing' },
      { id: 'c2', timestamp: '2026-03-02T09:30:00+01:00', message: 'fix: rounding für Preise' },
    ],
  }),
  row('push', 'b1', 'github', '2026-03-03 10:00:00 UTC', {
    head_commit: { id: 'b1' },
    commits: [{ id: 'c3', timestamp: '2026-03-03T09:00:00Z', message: 'feat: coupons' }],
  }),
  row('deployment_status', 'dep-1-pending', 'github', '2026-03-02 11:00:00 UTC', {
    deployment_status: { state: 'pending' },
    deployment: { sha: 'a1', additional_sha: [] },
  }),
  row('deployment_status', 'dep-1', 'github', '2026-03-02 12:00:00.250000 UTC', {
    deployment_status: { state: 'success' },
    deployment: { sha: 'a1', additional_sha: [] },
  }),
  row('build', 'cb-2', 'cloud_build', '2026-03-03 12:00:00 UTC', {
    status: 'SUCCESS',
    substitutions: { COMMIT_SHA: 'b1' },
  }),
  row('issues', 'i7-opened', 'github', '2026-03-03 13:00:00 UTC', {
    action: 'opened',
    issue: {
      number: 7,
      created_at: '2026-03-03T13:00:00Z',
      closed_at: null,
      labels: [{ name: 'Incident' }],
      body: 'Checkout fails for coupons. root cause: c3',
    },
  }),
  row('issues', 'i7-closed', 'github', '2026-03-03 15:00:00 UTC', {
    action: 'closed',
    issue: {
      number: 7,
      created_at: '2026-03-03T13:00:00Z',
      closed_at: '2026-03-03T15:00:00Z',
      labels: [{ name: 'Incident' }],
    },
  }),
  row('issues', 'i8-opened', 'github', '2026-03-03 16:00:00 UTC', {
    issue: { number: 8, created_at: '2026-03-03T16:00:00Z', closed_at: null, labels: [{ name: 'docs' }] },
  }),
  row('incident.triggered', 'pd-1', 'pagerduty', '2026-03-04 08:00:00 UTC', {
    event: { event_type: 'incident.triggered', occurred_at: '2026-03-04T08:00:00Z', data: { id: 'PX1' } },
  }),
  row('incident.resolved', 'pd-2', 'pagerduty', '2026-03-04 08:30:00 UTC', {
    event: { event_type: 'incident.resolved', occurred_at: '2026-03-04T08:30:00Z', data: { id: 'PX1' } },
  }),
]

/** BigQuery's newline-delimited JSON export of the rows. */
export function eventsRawJsonLines(rows: readonly EventsRawRow[] = EVENTS_RAW): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('')
}

/** BigQuery's CSV export of the rows (header row, RFC 4180 quoting), with a byte-order mark and CRLF as Excel saves it. */
export function eventsRawCsv(rows: readonly EventsRawRow[] = EVENTS_RAW): string {
  const columns = ['event_type', 'id', 'metadata', 'time_created', 'signature', 'msg_id', 'source'] as const
  const field = (value: string | null) =>
    value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))]
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
