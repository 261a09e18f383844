/**
 * What became of one request. `status` is the HTTP status, or how it failed before one arrived:
 * `timeout` (no answer within timeoutMs), `network-error` (refused, reset, …), `dropped` (never sent: the client
 * already had maxInFlight requests open, so it shed this one instead of queueing it).
 */
export type RequestStatus = number | 'timeout' | 'network-error' | 'dropped'

/** One request as the traffic generator sent it, and what came back. */
export interface RequestRecord {
  seq: number
  requestId: string
  customerId: string
  couponCode: string | null
  itemCount: number
  target: string
  /** When the open arrival model said it should leave (ms since epoch, on the traffic's clock). */
  scheduledAt: number
  /** When it actually left; `sentAt - scheduledAt` is the generator's own lag. Null when dropped. */
  sentAt: number | null
  /** Null until it settles. */
  status: RequestStatus | null
  /** From the scheduled time to the end of the response (so a stalled client cannot hide latency). */
  latencyMs: number | null
}

/** 5xx, timeouts and network errors: the failures the service is answerable for. Drops are counted apart. */
export function isFailure(status: RequestStatus): boolean {
  return status === 'timeout' || status === 'network-error' || (typeof status === 'number' && status >= 500)
}
