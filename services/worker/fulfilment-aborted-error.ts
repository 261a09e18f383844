import { UnrecoverableError } from 'bullmq'

export type FulfilmentFailureReason =
  | 'card_declined'
  | 'provider_rejected'
  | 'order_missing'
  | 'attempts_exhausted'

/** Fails a fulfilment job at once (BullMQ does not retry an `UnrecoverableError`), with the reason for metrics. */
export class FulfilmentAbortedError extends UnrecoverableError {
  readonly reason: FulfilmentFailureReason

  constructor(reason: FulfilmentFailureReason, message: string, options: { cause?: unknown } = {}) {
    super(message)
    this.reason = reason
    if (options.cause !== undefined) this.cause = options.cause
  }
}
