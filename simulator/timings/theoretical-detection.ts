/**
 * The SRE workbook's detection time for a burn-rate alert: with a constant error ratio `errorRatio` starting
 * from a clean window, the long window's ratio crosses `burnRate × (1 − objective)` after
 * `longWindowMs × burnRate × (1 − objective) / errorRatio`. Null when the ratio is too low for the rule to
 * ever fire. The short window fills faster, so the long one sets the time.
 */
export function theoreticalDetectionMs(input: {
  longWindowMs: number
  burnRate: number
  objective: number
  errorRatio: number
}): number | null {
  const threshold = input.burnRate * (1 - input.objective)
  if (!(input.errorRatio > threshold)) return null
  return (input.longWindowMs * threshold) / input.errorRatio
}
