import type { BurnRateRule } from './burn-rate-rule.ts'

export interface TheoreticalDetectionInput {
  /** The constant share of bad requests from the moment the fault starts, 0..1. */
  errorRatio: number
  objective: number
  rule: BurnRateRule
  scrapeIntervalMs: number
  evaluationIntervalMs: number
  /**
   * How much clean traffic the windows hold when the fault starts (traffic began that long before it). A window
   * longer than this holds only this much, so it fills with errors sooner. @defaultValue Infinity (full windows)
   */
  cleanHistoryMs?: number
}

/**
 * The earliest a rule could fire at a constant error ratio, from windows full of clean traffic: after t ms of
 * the fault a window of W ms sees errorRatio × t / W, which crosses the threshold burnRate × (1 - objective) at
 * t = threshold × W / errorRatio; both windows must cross, so the long one decides. Add one scrape interval
 * (the counts must be scraped) and one evaluation interval (then evaluated). Infinite when the ratio never
 * exceeds the threshold, even over a whole window of bad traffic. The baseline detection benchmarks compare to.
 */
export function theoreticalDetectionMs(input: TheoreticalDetectionInput): number {
  const { errorRatio, objective, rule, scrapeIntervalMs, evaluationIntervalMs } = input
  if (!(errorRatio >= 0 && errorRatio <= 1))
    throw new RangeError(`theoreticalDetectionMs: errorRatio must be between 0 and 1 (got ${errorRatio})`)
  if (!(objective > 0 && objective < 1))
    throw new RangeError(
      `theoreticalDetectionMs: objective must be between 0 and 1, exclusive (got ${objective})`,
    )
  const threshold = rule.burnRate * (1 - objective)
  if (errorRatio <= threshold) return Number.POSITIVE_INFINITY
  const history = input.cleanHistoryMs ?? Number.POSITIVE_INFINITY
  const crossing = Math.max(
    windowCrossingMs(rule.longWindowMs, history, threshold, errorRatio),
    windowCrossingMs(rule.shortWindowMs, history, threshold, errorRatio),
  )
  return crossing + scrapeIntervalMs + evaluationIntervalMs
}

/**
 * When a window of W ms whose data starts H ms before the fault first sees ratio ≥ threshold: after t ms of
 * errors it holds e·t / min(W, H + t). While H + t < W that is e·t/(H + t), crossing at t = θ·H/(e − θ); once
 * the window is full it is e·t/W, crossing at t = θ·W/e.
 */
function windowCrossingMs(
  windowMs: number,
  historyMs: number,
  threshold: number,
  errorRatio: number,
): number {
  if (historyMs < windowMs) {
    const partial = (threshold * historyMs) / (errorRatio - threshold)
    if (historyMs + partial <= windowMs) return partial
  }
  return (threshold * windowMs) / errorRatio
}
