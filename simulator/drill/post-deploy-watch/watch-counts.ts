import { metricsUrl } from '../../detection/create-scraper.ts'
import { type PromSample, parsePrometheusText } from '../../detection/parse-prometheus-text.ts'
import { matchesSelector } from '../../detection/series-selector.ts'
import { SHOP_SLI_METRICS, type SliMetricNames } from '../../detection/shop-slis.ts'

/**
 * What one api instance has answered so far, as its `/metrics` counts it (cumulative, since it started): requests
 * and 5xx answers in the SLO's scope (the shop's orders), and the request-duration histogram's buckets.
 */
export interface WatchCounts {
  requests: number
  errors: number
  /** Cumulative counts per bucket upper bound in seconds, ascending; the last is +Inf (every request). */
  buckets: { le: number; count: number }[]
}

export const NO_COUNTS: WatchCounts = Object.freeze({ requests: 0, errors: 0, buckets: [] }) as WatchCounts

/** The counts in one scrape's samples, summed over every series in scope (routes, status codes). */
export function countsOf(
  samples: readonly PromSample[],
  names: SliMetricNames = SHOP_SLI_METRICS,
): WatchCounts {
  const { availability, latency } = names
  const counter = { metric: availability.counter, matchers: availability.scope }
  const bucket = { metric: `${latency.histogram}_bucket`, matchers: latency.scope }
  let requests = 0
  let errors = 0
  const byLe = new Map<number, number>()
  for (const s of samples) {
    if (matchesSelector(s, counter)) {
      requests += s.value
      if (/^5\d\d$/.test(s.labels[availability.statusLabel] ?? '')) errors += s.value
    } else if (matchesSelector(s, bucket)) {
      const le = Number(s.labels.le)
      if (!Number.isNaN(le)) byLe.set(le, (byLe.get(le) ?? 0) + s.value)
    }
  }
  const buckets = [...byLe].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }))
  return { requests, errors, buckets }
}

/** Reads one instance's counts from its `/metrics`; null when it does not answer (a restart in a deploy). */
export async function scrapeCounts(url: string, timeoutMs = 2000): Promise<WatchCounts | null> {
  try {
    const response = await fetch(metricsUrl(url), { signal: AbortSignal.timeout(timeoutMs) })
    const text = await response.text()
    if (!response.ok) return null
    return countsOf(parsePrometheusText(text))
  } catch {
    return null
  }
}

/**
 * What an instance answered between two readings. A count lower than before means the instance restarted (a
 * deploy): everything it counts now is new, as Prometheus `increase()` takes a reset.
 */
export function countsBetween(before: WatchCounts | undefined, after: WatchCounts): WatchCounts {
  if (before === undefined) return after
  const lower = new Map(before.buckets.map((b) => [b.le, b.count]))
  const reset =
    after.requests < before.requests ||
    after.errors < before.errors ||
    after.buckets.some((b) => b.count < (lower.get(b.le) ?? 0))
  if (reset) return after
  return {
    requests: after.requests - before.requests,
    errors: after.errors - before.errors,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (lower.get(b.le) ?? 0) })),
  }
}

/** Several instances' counts added up. */
export function sumCounts(all: readonly WatchCounts[]): WatchCounts {
  const byLe = new Map<number, number>()
  let requests = 0
  let errors = 0
  for (const c of all) {
    requests += c.requests
    errors += c.errors
    for (const b of c.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count)
  }
  const buckets = [...byLe].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }))
  return { requests, errors, buckets }
}

/**
 * Where the 95th percentile lies, as far as the histogram can tell: the bucket holding it, from its lower bound
 * (the bucket below's upper bound, 0 for the first) to its upper bound (Infinity for +Inf), in seconds. Null with
 * no requests.
 */
export function p95Bounds(counts: WatchCounts): { lower: number; upper: number } | null {
  const total = counts.buckets.at(-1)?.count ?? 0
  if (total <= 0) return null
  const rank = 0.95 * total
  let lower = 0
  for (const b of counts.buckets) {
    if (b.count >= rank) return { lower, upper: b.le }
    lower = b.le
  }
  return { lower, upper: Number.POSITIVE_INFINITY }
}

/**
 * The lower bound of the Wilson score interval for `errors` out of `requests` (one-sided, 95 %: z = 1.645): the
 * smallest error ratio the sample is consistent with. A few unlucky errors among few requests stay under it; a
 * real fault's share does not.
 */
export function errorRatioLowerBound(errors: number, requests: number, z = 1.645): number {
  if (requests <= 0) return 0
  const p = errors / requests
  const z2 = z * z
  const centre = p + z2 / (2 * requests)
  const spread = z * Math.sqrt((p * (1 - p)) / requests + z2 / (4 * requests * requests))
  return Math.max(0, (centre - spread) / (1 + z2 / requests))
}
