import type { Job } from 'bullmq'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import type { OrderStatus } from '../orders/order.ts'
import type { OrderStore } from '../orders/order-store.ts'
import type { PaymentsClient } from '../payments/payments-client.ts'
import {
  CardDeclinedError,
  ProviderRejectedError,
  ProviderRetryableError,
} from '../payments/payments-errors.ts'
import type { Logger } from '../platform/logger.ts'
import { cardOnFile } from './card-on-file.ts'
import { FulfilmentAbortedError, type FulfilmentFailureReason } from './fulfilment-aborted-error.ts'

export interface FulfilmentDeps {
  store: OrderStore
  payments: PaymentsClient
  /** Holds every worker of the queue back for this long (the provider's Retry-After). */
  pauseQueue: (ms: number) => Promise<void>
  now: () => Date
  logger: Logger
}

export interface FulfilmentResult {
  orderId: string
  status: OrderStatus
  /** Set when this attempt charged, or found the charge an earlier attempt made. */
  chargeId?: string
  /** The provider had already charged under this order's idempotency key (an earlier attempt died after it). */
  replayed?: boolean
}

/** True when BullMQ will not retry this job after the current attempt fails. */
export function isLastAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
}

/**
 * One attempt at one order: skip it when already settled, charge it with the order id as the idempotency
 * key (so no retry, stalled job or killed worker ever charges twice), then settle it.
 * Throws what BullMQ should act on: `FulfilmentAbortedError` (fail now) or `ProviderRetryableError` (back off).
 */
export async function fulfilOrder(
  deps: FulfilmentDeps,
  job: Job<FulfilmentJobData>,
): Promise<FulfilmentResult> {
  const { orderId } = job.data
  const order = await deps.store.get(orderId)
  if (order === undefined) {
    throw new FulfilmentAbortedError(
      'order_missing',
      `Order ${orderId} is not in the order store, so there is nothing to charge. Was it enqueued before it was stored?`,
    )
  }
  if (order.status !== 'pending') return { orderId, status: order.status }

  const fail = async (reason: FulfilmentFailureReason) => {
    await deps.store.markFailed(orderId, reason, deps.now())
  }
  try {
    const { charge, replayed } = await deps.payments.charge(
      { amountCents: order.totalCents, currency: order.currency, orderId, cardToken: cardOnFile(order) },
      { idempotencyKey: orderId },
    )
    const settled = await deps.store.markPaid(orderId, charge.id, deps.now())
    return { orderId, status: settled?.status ?? 'paid', chargeId: charge.id, replayed }
  } catch (err) {
    if (err instanceof CardDeclinedError) {
      await fail('card_declined')
      throw new FulfilmentAbortedError('card_declined', err.message, { cause: err })
    }
    if (err instanceof ProviderRejectedError) {
      await fail('provider_rejected')
      throw new FulfilmentAbortedError('provider_rejected', err.message, { cause: err })
    }
    if (err instanceof ProviderRetryableError) {
      if (err.retryAfterMs !== undefined && err.retryAfterMs > 0) await deps.pauseQueue(err.retryAfterMs)
      if (isLastAttempt(job)) await fail('attempts_exhausted')
      deps.logger.warn(
        { orderId, attempt: job.attemptsMade + 1, status: err.status },
        'charge failed, will retry',
      )
    }
    throw err
  }
}
