/**
 * Round-robin targets that send `percent` of requests to `canary` and the rest evenly over `urls`: a list whose
 * length is a multiple of both, the canary's entries spread through it.
 */
export function weighted(urls: readonly string[], canary: string, percent: number): string[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))
  const length = (100 / gcd(percent, 100)) * Math.max(1, urls.length)
  const canaries = (length * percent) / 100
  const out: string[] = []
  let next = 0
  for (let i = 0; i < length; i++) {
    // Exactly `canaries` of the `length` entries, evenly spaced.
    const isCanary = Math.floor(((i + 1) * canaries) / length) > Math.floor((i * canaries) / length)
    out.push(isCanary ? canary : urls[next++ % urls.length]!)
  }
  return out
}
