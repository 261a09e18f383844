import { UnrecoverableError } from 'bullmq'

export type FulfilmentFailureReason =
  | 'card_declined'
  | 'provider_rejected'
  | 'order_missing'
  | 'attempts_exhausted'
  /** BullMQ failed the job for stalling too often (its workers kept dying under it). */
  | 'stalled'
  /** The order's job is gone from the queue (never enqueued, or removed) while the order was pending. */
  | 'job_missing'

/** Fails a fulfilment job at once (BullMQ does not retry an `UnrecoverableError`), with the reason for metrics. */
export class FulfilmentAbortedError extends UnrecoverableError {
  readonly reason: FulfilmentFailureReason

  constructor(reason: FulfilmentFailureReason, message: string, options: { cause?: unknown } = {}) {
    super(message)
    this.reason = reason
    if (options.cause !== undefined) this.cause = options.cause
  }
}

/** Why a job failed for good, from its error (or, for a job read back from Redis, its failed reason). */
export function failureReasonOf(err: Error | string | undefined): FulfilmentFailureReason {
  if (err instanceof FulfilmentAbortedError) return err.reason
  const message = typeof err === 'string' ? err : (err?.message ?? '')
  return /stalled/i.test(message) ? 'stalled' : 'attempts_exhausted'
}
