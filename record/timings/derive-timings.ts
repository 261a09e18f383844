import type { JournalEvent, JournalEventType } from '../journal/journal-event.ts'

/** The journal events a drill's timings are measured between; null where the journal has none. */
export interface TimingAnchors {
  /** First `release.step` with percent > 0: the bad change reaches users. */
  released: JournalEvent | null
  /** First `request.first-failure` at or after the release (before it, a failure is steady-state noise). */
  firstError: JournalEvent | null
  /**
   * First paging `alert.fired` at or after the release; without one (the team's own alerting detected), the first
   * `alert.received` that paged.
   */
  detected: JournalEvent | null
  /** First `page.acknowledged` at or after detection. */
  acknowledged: JournalEvent | null
  /** First `mitigation.applied` at or after the release. */
  mitigated: JournalEvent | null
  /** First `recovery.confirmed` at or after the mitigation (or the release, without one). */
  recovered: JournalEvent | null
}

export interface Timings {
  releasedAt: string | null
  firstErrorAt: string | null
  detectedAt: string | null
  acknowledgedAt: string | null
  mitigatedAt: string | null
  recoveredAt: string | null
  /** Time to detect: release → alert. */
  mttdMs: number | null
  /** Time to acknowledge: alert → acknowledgement. */
  mttaMs: number | null
  /** Time to mitigate: alert → mitigated (flag off, or production rolled back). */
  mttmMs: number | null
  /** Time to recover: release → recovery confirmed. */
  mttrMs: number | null
  /** Time to recover as users saw it: first failed request → recovery confirmed. */
  mttrFromFirstErrorMs: number | null
}

const timeOf = (event: JournalEvent | null): number | null => (event === null ? null : Date.parse(event.at))

/** The earliest event (by time, then seq) of `type` at or after `notBefore` that passes `accept`. */
function earliest(
  events: readonly JournalEvent[],
  type: JournalEventType,
  notBefore: number | null,
  accept: (event: JournalEvent) => boolean = () => true,
): JournalEvent | null {
  let best: JournalEvent | null = null
  for (const event of events) {
    if (event.type !== type || !accept(event)) continue
    const at = Date.parse(event.at)
    if (notBefore !== null && at < notBefore) continue
    const bestAt = timeOf(best)
    if (best === null || bestAt === null || at < bestAt || (at === bestAt && event.seq < best.seq))
      best = event
  }
  return best
}

/** Whether an alert paged: its own say, or (journals from before severities were configurable) `page`. */
const pages = (alert: { severity: string; pages?: boolean }) => alert.pages ?? alert.severity === 'page'

/** Finds the anchor events. Order-independent: it looks at times and seq, never at positions. */
export function deriveTimingAnchors(events: readonly JournalEvent[]): TimingAnchors {
  const released = earliest(
    events,
    'release.step',
    null,
    (e) => e.type === 'release.step' && e.data.percent > 0,
  )
  const releasedAt = timeOf(released)
  const firstError = earliest(events, 'request.first-failure', releasedAt)
  // firedrill's own alert, or, when the team's own alerting detects, the first notification that paged.
  const detected =
    earliest(events, 'alert.fired', releasedAt, (e) => e.type === 'alert.fired' && pages(e.data)) ??
    earliest(
      events,
      'alert.received',
      releasedAt,
      (e) => e.type === 'alert.received' && e.data.outcome === 'paged',
    )
  const acknowledged = detected === null ? null : earliest(events, 'page.acknowledged', timeOf(detected))
  const mitigated = earliest(events, 'mitigation.applied', releasedAt)
  const recovered = earliest(events, 'recovery.confirmed', timeOf(mitigated) ?? releasedAt)
  return { released, firstError, detected, acknowledged, mitigated, recovered }
}

/** `to − from` in ms, or null when either end is missing or the span would be negative. */
export function spanMs(from: JournalEvent | null, to: JournalEvent | null): number | null {
  const start = timeOf(from)
  const end = timeOf(to)
  if (start === null || end === null || end < start) return null
  return end - start
}

/**
 * The drill's timings, a pure function of its journal. Every figure is null when one of its two events is
 * missing (a crashed or unfinished run), and never negative.
 */
export function deriveTimings(events: readonly JournalEvent[]): Timings {
  const a = deriveTimingAnchors(events)
  return {
    releasedAt: a.released?.at ?? null,
    firstErrorAt: a.firstError?.at ?? null,
    detectedAt: a.detected?.at ?? null,
    acknowledgedAt: a.acknowledged?.at ?? null,
    mitigatedAt: a.mitigated?.at ?? null,
    recoveredAt: a.recovered?.at ?? null,
    mttdMs: spanMs(a.released, a.detected),
    mttaMs: spanMs(a.detected, a.acknowledged),
    mttmMs: spanMs(a.detected, a.mitigated),
    mttrMs: spanMs(a.released, a.recovered),
    mttrFromFirstErrorMs: spanMs(a.firstError, a.recovered),
  }
}
