import type { JournalEvent } from '../journal/journal-event.ts'

/** The SLO as impact needs it: the objective and the SLO window in wall-clock ms (already scaled). */
export interface ImpactSlo {
  objective: number
  windowMs: number
}

export interface Impact {
  /** Requests sent during the drill (answered, failed or timed out; not those shed by the client). */
  requests: number
  failedRequests: number
  /** failedRequests / requests; 0 without requests. */
  errorRatio: number
  /** Share of the SLO window's error budget the drill's failures used, in percent to 4 decimals (see deriveImpact). */
  errorBudgetConsumedPct: number
  /** Wall-clock ms of traffic the journal covers (sum of its interval widths). */
  observedMs: number
}

export interface ImpactRange {
  /** Count only intervals that end after this instant (ms since the epoch). */
  fromMs?: number
  /** Count only intervals that start before this instant. */
  toMs?: number
}

/**
 * Impact from the journal's `traffic.interval` events (order-independent sums).
 *
 * Error budget consumed: the SLO allows `(1 − objective)` of the requests in its window to fail. The
 * window's request count is the drill's own traffic extrapolated at the rate the drill observed:
 * `requests × windowMs / observedMs` (just `requests` if the drill ran longer than the window). So
 *
 *   errorBudgetConsumedPct = 100 × failedRequests / ((1 − objective) × requests × max(1, windowMs / observedMs))
 *
 * With the 30-day window scaled by timeScale 1/240 (3 h of wall time), 146 failures out of 1,520 requests
 * over 38 s use 100 × 146 / (0.01 × 1520 × 284.2) ≈ 3.38 % of the month's budget. It is 0 without traffic.
 */
export function deriveImpact(
  events: readonly JournalEvent[],
  slo: ImpactSlo,
  range: ImpactRange = {},
): Impact {
  let requests = 0
  let failedRequests = 0
  let observedMs = 0
  for (const event of events) {
    if (event.type !== 'traffic.interval') continue
    const from = Date.parse(event.data.from)
    const to = Date.parse(event.data.to)
    if (range.fromMs !== undefined && to <= range.fromMs) continue
    if (range.toMs !== undefined && from >= range.toMs) continue
    requests += event.data.requests
    failedRequests += event.data.failures
    observedMs += Math.max(0, to - from)
  }
  const errorRatio = requests === 0 ? 0 : failedRequests / requests
  const budgetRequests =
    (1 - slo.objective) * requests * Math.max(1, observedMs === 0 ? 1 : slo.windowMs / observedMs)
  const consumed = budgetRequests === 0 ? 0 : (100 * failedRequests) / budgetRequests
  const errorBudgetConsumedPct = Math.round(consumed * 10_000) / 10_000
  return { requests, failedRequests, errorRatio, errorBudgetConsumedPct, observedMs }
}
