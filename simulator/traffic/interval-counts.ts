import { latencyPercentile } from './latency-percentile.ts'
import { isFailure, type RequestRecord } from './request-outcome.ts'

/**
 * The requests *scheduled* in [start, end), once all of them settled. `failures` counts 5xx, timeouts and
 * network errors; `dropped` counts requests shed by the client's maxInFlight bound (not sent at all).
 * Latencies are in ms from the scheduled time, over the requests that got an HTTP answer.
 */
export interface IntervalCounts {
  index: number
  start: number
  end: number
  requests: number
  failures: number
  dropped: number
  byStatus: Record<string, number>
  latencyP50: number | null
  latencyP99: number | null
  /** The worst gap between a request's scheduled and actual send time in this interval. */
  maxSendLagMs: number
}

export function summarizeInterval(
  index: number,
  start: number,
  end: number,
  records: readonly RequestRecord[],
): IntervalCounts {
  const byStatus: Record<string, number> = {}
  const latencies: number[] = []
  let failures = 0
  let dropped = 0
  let maxSendLagMs = 0
  for (const r of records) {
    const status = r.status ?? 'pending'
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
    if (status === 'dropped') dropped++
    else if (status !== 'pending' && isFailure(status)) failures++
    if (typeof status === 'number' && r.latencyMs !== null) latencies.push(r.latencyMs)
    if (r.sentAt !== null) maxSendLagMs = Math.max(maxSendLagMs, r.sentAt - r.scheduledAt)
  }
  latencies.sort((a, b) => a - b)
  return {
    index,
    start,
    end,
    requests: records.length,
    failures,
    dropped,
    byStatus,
    latencyP50: latencyPercentile(latencies, 50),
    latencyP99: latencyPercentile(latencies, 99),
    maxSendLagMs,
  }
}
