import type { DrillJournal } from '../simulator/drill/drill-journal.ts'

/**
 * A drill's journal load in a benchmark: a `traffic.interval` every 250 ms (10 requests, all 201), as a drill's
 * traffic writes them. Returns the timer, to clear when the measurement ends.
 */
export function appendSyntheticIntervals(journal: Pick<DrillJournal, 'append'>): NodeJS.Timeout {
  let index = 0
  return setInterval(() => {
    const to = Date.now()
    journal
      .append({
        type: 'traffic.interval',
        data: {
          index: index++,
          from: new Date(to - 250).toISOString(),
          to: new Date(to).toISOString(),
          requests: 10,
          failures: 0,
          dropped: 0,
          byStatus: { '201': 10 },
          latencyP50Ms: 4,
          latencyP99Ms: 12,
        },
      })
      .catch(() => {})
  }, 250)
}
