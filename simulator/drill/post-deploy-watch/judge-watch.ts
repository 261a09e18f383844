import { errorRatioLowerBound, p95Bounds, type WatchCounts } from './watch-counts.ts'

/** What a breach is, and how sure the watch must be before it rolls back. */
export interface WatchThresholds {
  /** An error ratio at or above this (5xx / requests) breaches. */
  maxErrorRatio: number
  /** p95 latency above the baseline's by more than this, in percent, breaches. */
  p95HeadroomPct: number
  /**
   * The least rise in p95, in milliseconds, that breaches, however small the baseline: a baseline of a
   * millisecond plus 20 % is a limit a busy machine's scheduling alone crosses.
   */
  p95MinIncreaseMs: number
  /** Requests the window must hold before an evaluation counts. */
  minRequests: number
  /** Counted evaluations in a row that must breach before the watch rolls back. */
  consecutiveBreaches: number
}

/** Production's own figures over the steady state before the release. */
export interface WatchBaseline {
  requests: number
  errorRatio: number | null
  /** The bucket holding the baseline's p95, in seconds; null with too few requests to say. */
  p95: { lower: number; upper: number } | null
}

/** What breached. */
export type WatchBreach = 'error-ratio' | 'p95'

/** One evaluation of the window since the deploy completed. */
export interface WatchEvaluation {
  /** The window held enough requests for the evaluation to count. */
  counted: boolean
  breaches: WatchBreach[]
  requests: number
  errors: number
  errorRatio: number | null
  /** The least error ratio the window's requests are consistent with (Wilson, one-sided 95 %). */
  errorRatioLowerBound: number | null
  /** The bucket holding the window's p95 (after the warm-up), in seconds; null before the warm-up is over. */
  p95: { lower: number; upper: number } | null
}

/** The baseline from the steady state's counts; its p95 only from enough requests to mean something. */
export function baselineOf(counts: WatchCounts, minRequests: number): WatchBaseline {
  const enough = counts.requests >= minRequests
  return {
    requests: counts.requests,
    errorRatio: counts.requests === 0 ? null : counts.errors / counts.requests,
    p95: enough ? p95Bounds(counts) : null,
  }
}

/**
 * The p95 above which the deploy breaches, in seconds: the baseline's p95 taken at the top of its bucket (the
 * most it can have been) plus the headroom, and at least `p95MinIncreaseMs` above it. Null when the baseline has
 * no p95, or it lies in the +Inf bucket.
 */
export function p95Limit(baseline: WatchBaseline, thresholds: WatchThresholds): number | null {
  const upper = baseline.p95?.upper
  if (upper === undefined || !Number.isFinite(upper)) return null
  return Math.max(upper * (1 + thresholds.p95HeadroomPct / 100), upper + thresholds.p95MinIncreaseMs / 1000)
}

/**
 * Judges the window since the deploy completed against the baseline. An evaluation counts only once the window
 * holds `minRequests`. It breaches on errors when the error ratio is at or above `maxErrorRatio` even at the
 * least the sample is consistent with (the Wilson lower bound), so a few unlucky errors do not; and on latency when
 * the window's p95 is above the limit even at the bottom of its bucket, so the histogram's resolution cannot turn
 * an unchanged latency into a breach. Latency is judged on `warm` (the window's requests after the new instances'
 * warm-up; absent during it), holding `minRequests` too: a freshly started instance's first requests are slow.
 */
export function judgeWindow(
  window: WatchCounts,
  baseline: WatchBaseline,
  thresholds: WatchThresholds,
  warm?: WatchCounts,
): WatchEvaluation {
  const { requests, errors } = window
  const counted = requests >= thresholds.minRequests
  const lowerBound = requests === 0 ? null : errorRatioLowerBound(errors, requests)
  const p95 = warm === undefined ? null : p95Bounds(warm)
  const latencyCounted = warm !== undefined && warm.requests >= thresholds.minRequests
  const limit = p95Limit(baseline, thresholds)
  const breaches: WatchBreach[] = []
  if (counted && lowerBound !== null && lowerBound >= thresholds.maxErrorRatio) breaches.push('error-ratio')
  if (counted && latencyCounted && limit !== null && p95 !== null && p95.lower > limit) breaches.push('p95')
  return {
    counted,
    breaches,
    requests,
    errors,
    errorRatio: requests === 0 ? null : errors / requests,
    errorRatioLowerBound: lowerBound,
    p95,
  }
}
