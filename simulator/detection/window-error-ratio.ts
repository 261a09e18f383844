import type { SliSample } from './sli-sample.ts'

/** What one window saw: the requests and bad requests between two scrape samples, and their ratio. */
export interface WindowEvidence {
  windowMs: number
  /** Times of the two samples the increase was taken between (null when there were not two). */
  from: number | null
  to: number | null
  /** Scrape samples after `from` up to `to`. */
  samples: number
  total: number
  bad: number
  /** bad / total, or null when the window had fewer than minRequests requests: no data is not a ratio of 0. */
  errorRatio: number | null
  /** errorRatio / (1 - objective), or null with no data. */
  burnRate: number | null
}

/**
 * increase(bad) / increase(total) over [now - windowMs, now]: from the last sample at or before the window's
 * start (or the first sample, when the series is younger than the window) to the last sample at or before now.
 * Unlike Prometheus there is no extrapolation to the window's edges: the ratio is of what was counted.
 */
export function windowErrorRatio(
  series: readonly SliSample[],
  now: number,
  windowMs: number,
  objective: number,
  minRequests: number,
): WindowEvidence {
  const endIndex = lastAtOrBefore(series, now)
  const noData: WindowEvidence = {
    windowMs,
    from: null,
    to: null,
    samples: 0,
    total: 0,
    bad: 0,
    errorRatio: null,
    burnRate: null,
  }
  if (endIndex < 0) return noData
  const startIndex = Math.max(0, lastAtOrBefore(series, now - windowMs))
  if (startIndex >= endIndex) return noData
  const start = series[startIndex]!
  const end = series[endIndex]!
  const total = end.total - start.total
  const bad = end.bad - start.bad
  const evidence = { ...noData, from: start.t, to: end.t, samples: endIndex - startIndex, total, bad }
  if (total < minRequests || total <= 0) return evidence
  const errorRatio = bad / total
  return { ...evidence, errorRatio, burnRate: errorRatio / (1 - objective) }
}

/** Index of the last sample with t <= at, or -1 (binary search: the series is in time order). */
function lastAtOrBefore(series: readonly SliSample[], at: number): number {
  let lo = 0
  let hi = series.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (series[mid]!.t <= at) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
