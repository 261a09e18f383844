import type { FaultMode } from './fault-mode.ts'

/** What the payment provider's public status page says, in its operator's words: no more than that. */
export interface ProviderStatus {
  status: 'operational' | 'degraded' | 'partial-outage' | 'major-outage'
  summary: string
}

/** The provider's status page for the mode it is in. */
export function providerStatusOf(mode: FaultMode): ProviderStatus {
  switch (mode.mode) {
    case 'none':
      return { status: 'operational', summary: 'All systems operational.' }
    case 'latency':
    case 'timeout-after-charge':
      return { status: 'degraded', summary: 'Degraded performance: API responses are slower than usual.' }
    case 'rate-limit':
      return {
        status: 'degraded',
        summary: 'Degraded performance: some API requests are being rate limited.',
      }
    case 'error-rate':
      return { status: 'partial-outage', summary: 'Partial outage: some charge requests are failing.' }
    case 'outage':
      return { status: 'major-outage', summary: 'Major outage: the payments API is unavailable.' }
  }
}

/**
 * The status page as it reads at `at` (ISO time), given what it said before: the same page while the mode's
 * status has not changed, else the new status, said since `at`.
 */
export function statusPageAt<T extends ProviderStatus & { since: string | null }>(
  previous: T | null | undefined,
  mode: FaultMode,
  at: string,
): T | (ProviderStatus & { since: string }) {
  const now = providerStatusOf(mode)
  return previous != null && previous.status === now.status && previous.summary === now.summary
    ? previous
    : { ...now, since: at }
}

/** What the provider does in a fault mode, as a clause: "answers every request about 4000 ms late". */
export function describeFaultMode(mode: FaultMode): string {
  switch (mode.mode) {
    case 'none':
      return 'answers normally'
    case 'latency':
      return `answers every request about ${mode.ms} ms late`
    case 'error-rate':
      return `answers ${mode.percent} % of charge attempts with HTTP 500`
    case 'outage':
      return 'answers every request with HTTP 503'
    case 'rate-limit':
      return `answers ${mode.percent ?? 100} % of charge attempts with HTTP 429 (Retry-After ${mode.retryAfterSeconds} s)`
    case 'timeout-after-charge':
      return `records each charge, then answers ${mode.ms} ms late`
  }
}
