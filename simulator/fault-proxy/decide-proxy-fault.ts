import { createHash } from 'node:crypto'
import type { ProxyFault } from './proxy-fault.ts'

export interface ProxyFaultDecision {
  delayMs: number
  reset: boolean
  /** Answer with this status instead of passing the request on. */
  status?: number
}

export const PASS: ProxyFaultDecision = Object.freeze({ delayMs: 0, reset: false })

/**
 * What a fault does to one request. `requestKey` names the request (its `x-request-id`, else its number on the
 * proxy). With a seed, each fault strikes when a hash of (seed, fault, request) falls in its share, so the same
 * request meets the same faults on every run and every proxy; without one, `random` decides.
 */
export function decideProxyFault(
  fault: ProxyFault | null,
  requestKey: string,
  random: () => number = Math.random,
): ProxyFaultDecision {
  if (fault === null) return PASS
  const strikes = (kind: string, percent: number) => {
    if (percent <= 0) return false
    if (percent >= 100) return true
    const roll = fault.seed === undefined ? random() : seededRoll(fault.seed, kind, requestKey)
    return roll < percent / 100
  }
  const delayMs = fault.latency && strikes('latency', fault.latency.percent ?? 100) ? fault.latency.ms : 0
  if (fault.reset && strikes('reset', fault.reset.percent)) return { delayMs, reset: true }
  if (fault.status && strikes('status', fault.status.percent))
    return { delayMs, reset: false, status: fault.status.code }
  return { delayMs, reset: false }
}

/** A number in [0, 1) from the seed, the fault and the request. */
export function seededRoll(seed: number, kind: string, requestKey: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${kind}\u0000${requestKey}`).digest()
  return digest.readUInt32BE(0) / 2 ** 32
}
