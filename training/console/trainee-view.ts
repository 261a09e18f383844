import { eventsOf, type JournalEvent, type JournalEventOf } from '../../record/journal/journal-event.ts'
import type { AuditEntryView, FlagView } from '../../services/flags/flags-schemas.ts'
import type { Page } from '../../simulator/drill/pager.ts'
import type { TraineeLogLine, TraineeProvider, TraineeView } from './trainee-view-schema.ts'

/** The flag metadata an on-call engineer reads in the inventory; a flag's free-text notes stay out. */
const SHOWN_METADATA = ['owner', 'type', 'lifecycle'] as const

/** How many traffic intervals the dashboards keep: the last minutes of the drill. */
const SERIES_POINTS = 240

export type { TraineeFlag, TraineeView } from './trainee-view-schema.ts'

/**
 * Whether the incident is over for the people in it: the drill finished or aborted, or its cleanup began (the
 * shop is being put back; a follow-up may still run, but nothing is left to respond to).
 */
export function incidentIsOver(events: readonly JournalEvent[]): boolean {
  return events.some(
    (e) =>
      e.type === 'drill.finished' ||
      e.type === 'drill.aborted' ||
      (e.type === 'phase.entered' && e.data.phase === 'cleanup'),
  )
}

/** The facilitator's pause still on, from the journal: the latest `drill.paused` with no `drill.resumed` after it. */
export function pauseOn(events: readonly JournalEvent[]): JournalEventOf<'drill.paused'> | null {
  if (incidentIsOver(events)) return null
  const last = events.findLast((e) => e.type === 'drill.paused' || e.type === 'drill.resumed')
  return last?.type === 'drill.paused' ? last : null
}

export interface TraineeViewInput {
  trainee: string
  events: readonly JournalEvent[]
  page: Page | null
  flags: { inventory: readonly FlagView[]; audit: readonly AuditEntryView[] } | null
  /** The SLO objective the dashboards draw their line at. */
  objective: number
  /** What the shop shows of itself: the provider's status page, its logs, its queue. @defaultValue nothing yet */
  shop?: {
    provider: TraineeProvider | null
    logs: readonly TraineeLogLine[]
    queue: { t: number[]; depth: number[] }
  }
}

/** The runbook path of a page, on the console: the alert's own `runbook_url` when it points at `/runbooks/`. */
function runbookOf(page: Page): string | null {
  const url = page.notification.alerts.find((a) => a.annotations.runbook_url)?.annotations.runbook_url
  if (url === undefined) return null
  try {
    const { pathname } = new URL(url)
    return pathname.startsWith('/runbooks/') ? pathname : null
  } catch {
    return null
  }
}

/** The fulfilment queue as the journal last left it: paused (by whom, since when, why) or running. */
function queueOn(events: readonly JournalEvent[]): TraineeView['queue'] {
  const last = events.findLast((e) => e.type === 'queue.paused' || e.type === 'queue.resumed')
  return last?.type === 'queue.paused'
    ? { paused: true, by: last.data.by, since: last.at, reason: last.data.reason }
    : { paused: false, by: null, since: null, reason: null }
}

/**
 * The trainee's page from the journal and the flag service: the page, the deploys, the flag inventory and
 * its audit, the incident channel and the traffic's figures. Nothing here is read from the scenario's change,
 * its fault or its decoys: those reach the page only as the shop and the flag service show them.
 */
export function traineeView(input: TraineeViewInput): TraineeView {
  const { events, page } = input
  const over = incidentIsOver(events)
  const running = events.some((e) => e.type === 'traffic.started')
  const ack = eventsOf(events, 'page.acknowledged')[0]
  const intervals = eventsOf(events, 'traffic.interval').slice(-SERIES_POINTS)
  const audit = input.flags?.audit ?? []
  return {
    trainee: input.trainee,
    status: over ? 'over' : page !== null ? 'paged' : running ? 'on-call' : 'preparing',
    paused: pauseOn(events) !== null,
    page:
      page === null
        ? null
        : {
            alert: page.alert,
            severity: page.severity,
            summary: page.summary,
            description: page.description,
            startsAt: page.startsAt,
            slos: page.slos,
            runbook: runbookOf(page),
            acknowledgedBy: ack?.data.by ?? null,
          },
    deploys: eventsOf(events, 'change.deployed')
      .map((e) => ({
        at: e.at,
        commit: e.data.commit,
        artifact: e.data.artifact ?? null,
        environment: e.data.environment ?? null,
        dark: e.data.dark,
      }))
      .reverse(),
    flagChanges: audit.map(({ at, flag, actor, from, to, reason }) => ({
      at,
      flag,
      actor,
      from,
      to,
      reason,
    })),
    flags:
      input.flags === null
        ? null
        : input.flags.inventory.map((f) => {
            const meta = (key: (typeof SHOWN_METADATA)[number]) =>
              f.metadata[key] === undefined ? null : String(f.metadata[key])
            return {
              key: f.key,
              serving: f.summary,
              owner: meta('owner'),
              type: meta('type'),
              lifecycle: meta('lifecycle'),
              audit: audit
                .filter((a) => a.flag === f.key)
                .slice(0, 3)
                .map(({ at, actor, from, to, reason }) => ({ at, actor, from, to, reason })),
            }
          }),
    channel: [
      ...eventsOf(events, 'status.posted').map((e) => ({
        at: e.at,
        by: e.data.by,
        kind: 'status' as const,
        text: e.data.text,
      })),
      ...eventsOf(events, 'hint.given').map((e) => ({
        at: e.at,
        by: e.data.by,
        kind: 'hint' as const,
        text: e.data.text,
      })),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    queue: queueOn(events),
    provider: input.shop?.provider ?? null,
    logs: [...(input.shop?.logs ?? [])],
    dashboards: {
      objective: input.objective,
      t: intervals.map((e) => Date.parse(e.data.to) / 1000),
      requestRate: intervals.map(
        (e) => e.data.requests / Math.max(0.001, (Date.parse(e.data.to) - Date.parse(e.data.from)) / 1000),
      ),
      errorRatio: intervals.map((e) => (e.data.requests === 0 ? null : e.data.failures / e.data.requests)),
      availability: intervals.map((e) =>
        e.data.requests === 0 ? null : 1 - e.data.failures / e.data.requests,
      ),
      latencyP50Ms: intervals.map((e) => e.data.latencyP50Ms),
      latencyP99Ms: intervals.map((e) => e.data.latencyP99Ms),
      queueT: input.shop?.queue.t ?? [],
      queueDepth: input.shop?.queue.depth ?? [],
    },
  }
}
