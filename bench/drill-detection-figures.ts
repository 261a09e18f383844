import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'

/** What one drill's journal says about its detection. */
export interface DrillDetectionFigures {
  rule: string
  slo: string | null
  /** The release step that was on when the alert fired (1-based), and its percent. */
  step: number
  percent: number
  releasedAt: number
  /** When that step started: the step that made the fault detectable. */
  stepAt: number
  /** The first paging alert, and the page it gave (after group_wait). */
  alertAt: number
  pageAt: number | null
  /** Requests sent between the release (first step > 0 %) and the alert, and how many failed. */
  requestsToDetect: number
  failedToDetect: number
}

/**
 * Reads a drill's detection from its journal: the first paging alert after the release, the step in force when
 * it fired, the page, and the requests it took (traffic intervals of 250 ms counted by their midpoint). Null
 * without a release or a paging alert.
 */
export function drillDetectionFigures(events: readonly JournalEvent[]): DrillDetectionFigures | null {
  const at = (e: { at: string }) => Date.parse(e.at)
  const steps = eventsOf(events, 'release.step').filter((e) => e.data.percent > 0)
  const released = steps[0]
  const alert = eventsOf(events, 'alert.fired').find(
    (e) => (e.data.pages ?? e.data.severity === 'page') && released !== undefined && at(e) >= at(released),
  )
  if (released === undefined || alert === undefined) return null
  const alertAt = at(alert)
  const step = steps.filter((e) => at(e) <= alertAt).at(-1)!
  const page = eventsOf(events, 'page.sent').find((e) => at(e) >= alertAt)
  let requests = 0
  let failures = 0
  for (const e of eventsOf(events, 'traffic.interval')) {
    const mid = (Date.parse(e.data.from) + Date.parse(e.data.to)) / 2
    if (mid >= at(released) && mid < alertAt) {
      requests += e.data.requests
      failures += e.data.failures
    }
  }
  return {
    rule: alert.data.alert,
    slo: alert.data.slo ?? null,
    step: step.data.step,
    percent: step.data.percent,
    releasedAt: at(released),
    stepAt: at(step),
    alertAt,
    pageAt: page === undefined ? null : at(page),
    requestsToDetect: requests,
    failedToDetect: failures,
  }
}
