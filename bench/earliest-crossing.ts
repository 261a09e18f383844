/** What a burn-rate window already holds when a fault's step starts. */
export interface WindowHistory {
  windowMs: number
  /** Traffic before the step, in ms: the window's data starts at traffic start, not a window earlier. */
  preMs: number
  /** Error ratio of that traffic over the part the window reaches, [step - windowMs, step]. */
  preErrorRatio: number
}

/**
 * Milliseconds after a step until the window's error ratio first exceeds `threshold`, when a constant
 * `errorRatio` e starts at the step and the window's history is `preMs` of traffic at ratio r0 (traffic at a
 * steady rate, so time stands for requests):
 *
 *   ratio(t) = (r0 · min(pre, max(0, W - t)) + e · min(t, W)) / min(W, pre + t)
 *
 * With a clean history (r0 = 0) that is e·t / min(W, pre + t), whose exact crossing is
 * min(θ·W/e, θ·pre/(e - θ)): a history shorter than the window is diluted by less clean traffic, so the window
 * crosses sooner than the textbook θ·W/e. Errors already in the window (earlier canary steps) bring it sooner
 * still; old traffic is assumed uniform as it slides out. Scanned in `resolutionMs` steps (the function need not
 * be monotone when r0 > e). Infinite when it never crosses.
 */
export function earliestCrossingMs(
  history: WindowHistory,
  errorRatio: number,
  threshold: number,
  resolutionMs = 1,
): number {
  const { windowMs: w, preMs: pre, preErrorRatio: r0 } = history
  const ratio = (t: number) => {
    const span = Math.min(w, pre + t)
    if (span <= 0) return 0
    return (r0 * Math.min(pre, Math.max(0, w - t)) + errorRatio * Math.min(t, w)) / span
  }
  // Past one whole window the history has slid out: the ratio is e from then on.
  for (let t = 0; t <= w; t += resolutionMs) if (ratio(t) > threshold) return t
  return Number.POSITIVE_INFINITY
}
