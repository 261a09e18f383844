/**
 * Parses an HTTP Retry-After header (RFC 9110: delay-seconds or an HTTP-date) into milliseconds from `now`.
 * Returns undefined for a missing or malformed header; a date in the past means 0.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  if (!/[a-z]/i.test(value)) return undefined
  const at = Date.parse(value)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
