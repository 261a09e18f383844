/**
 * The nearest-rank percentile (`p` in 0..100) of `sortedAscending`, or `null` for an empty list.
 * Nearest rank returns a value that was observed, never an interpolation between two.
 */
export function latencyPercentile(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length
  if (n === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * n))
  return sortedAscending[Math.min(n, rank) - 1]!
}
