import type { FaultMode } from './fault-mode.ts'

export interface FaultDecision {
  /** Wait this long before doing anything. */
  delayMs: number
  /** Answer with this instead of serving the request (nothing is recorded). */
  failWith?: { status: 429 | 500 | 503; retryAfterSeconds?: number }
  /** Record the charge, then wait this long before answering. */
  delayAfterChargeMs: number
}

/**
 * What a fault mode does to one request. `sequence` is the account's charge-attempt counter (1, 2, 3 …), or
 * undefined for requests that are not charge attempts; rate-based faults only strike charge attempts.
 * Rates are exact rather than random: over any run of n consecutive attempts, `percent` of them strike
 * (rounded up or down by one), starting with the very first, so a drill's fault bites at once and a test's
 * fault cannot starve one order by chance.
 */
export function decideFault(mode: FaultMode, sequence: number | undefined): FaultDecision {
  const pass: FaultDecision = { delayMs: 0, delayAfterChargeMs: 0 }
  switch (mode.mode) {
    case 'none':
      return pass
    case 'latency':
      return { ...pass, delayMs: mode.ms }
    case 'outage':
      return { ...pass, failWith: { status: 503 } }
    case 'error-rate':
      return strikes(mode.percent, sequence) ? { ...pass, failWith: { status: 500 } } : pass
    case 'rate-limit':
      return strikes(mode.percent ?? 100, sequence)
        ? { ...pass, failWith: { status: 429, retryAfterSeconds: mode.retryAfterSeconds } }
        : pass
    case 'timeout-after-charge':
      return sequence === undefined ? pass : { ...pass, delayAfterChargeMs: mode.ms }
  }
}

/** True for exactly the attempts where the running count of strikes, ceil(n * percent / 100), goes up. */
export function strikes(percent: number, sequence: number | undefined): boolean {
  if (sequence === undefined || sequence < 1) return false
  return Math.ceil((sequence * percent) / 100) > Math.ceil(((sequence - 1) * percent) / 100)
}
