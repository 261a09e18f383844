import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import type { SliEvent } from './physical-floor.ts'

/**
 * A drill's availability events as its journal keeps them: each `traffic.interval` (250 ms) holds counts, not
 * requests, so its requests are spread evenly over the interval and its failures among them, evenly too. A floor
 * computed from them is within one interval of the floor computed from the requests themselves.
 */
export function intervalSliEvents(events: readonly JournalEvent[]): SliEvent[] {
  const out: SliEvent[] = []
  for (const e of eventsOf(events, 'traffic.interval')) {
    const from = Date.parse(e.data.from)
    const span = Date.parse(e.data.to) - from
    const n = e.data.requests
    // Failures at even positions through the interval: k of n bad, the k-th at (k + 0.5) · n / failures.
    const bad = new Set(
      Array.from({ length: e.data.failures }, (_, k) => Math.floor(((k + 0.5) * n) / e.data.failures)),
    )
    for (let i = 0; i < n; i++) out.push({ t: from + ((i + 0.5) * span) / n, bad: bad.has(i) })
  }
  return out
}
