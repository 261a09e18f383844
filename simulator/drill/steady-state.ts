import type { SliSample } from '../detection/sli-sample.ts'

/** Requests and failures the scraped series saw between two times (from the samples at or before each). */
export function sliceSeries(series: readonly SliSample[], from: number, to: number) {
  const at = (t: number) => {
    let found: SliSample | undefined
    for (const s of series) if (s.t <= t) found = s
    return found ?? { t, total: 0, bad: 0 }
  }
  const a = at(from)
  const b = at(to)
  return { requests: b.total - a.total, failures: b.bad - a.bad }
}

/** The steady-state hypothesis: enough requests, and an error ratio at or under the limit. */
export function steadyStateOf(
  requests: number,
  failures: number,
  limits: { maxErrorRatio: number; minRequests: number },
) {
  const errorRatio = requests === 0 ? 0 : failures / requests
  return {
    ok: requests >= limits.minRequests && errorRatio <= limits.maxErrorRatio,
    requests,
    failures,
    errorRatio,
    maxErrorRatio: limits.maxErrorRatio,
    minRequests: limits.minRequests,
  }
}
