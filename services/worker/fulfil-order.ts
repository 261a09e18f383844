import { randomUUID } from 'node:crypto'
import type { Job } from 'bullmq'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import type { OrderStatus } from '../orders/order.ts'
import type { ChargeResult, PaymentsClient } from '../payments/payments-client.ts'
import {
  CardDeclinedError,
  ProviderRejectedError,
  ProviderRetryableError,
} from '../payments/payments-errors.ts'
import { cardOnFile } from './card-on-file.ts'
import { FulfilmentAbortedError, type FulfilmentFailureReason } from './fulfilment-aborted-error.ts'
import { type SettleUnpaidDeps, settleUnpaidOrder } from './settle-unpaid-order.ts'

export interface FulfilmentDeps extends SettleUnpaidDeps {
  payments: Pick<PaymentsClient, 'charge' | 'findChargeByIdempotencyKey'>
  /** Holds every worker of the queue back for this long (the provider's Retry-After). */
  pauseQueue: (ms: number) => Promise<void>
  /**
   * How long a charge attempt counts as in flight at most: longer than the payments client waits for an
   * answer, so an order is never failed while an attempt could still charge.
   */
  chargeLeaseMs: number
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
 * One attempt at one order: skip it when already settled (or being failed), charge it with the order id as
 * the idempotency key (so no retry, stalled job or killed worker ever charges twice), then settle it.
 * The attempt is registered in flight while it charges, so nobody fails the order under it.
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

  const attemptId = randomUUID()
  const start = await deps.store.beginCharge(orderId, attemptId, deps.chargeLeaseMs)
  if (start.state === 'settled') return { orderId, status: start.order.status }
  // Fenced: another worker is failing this order and settles it; missing: it went away since the read above.
  if (start.state !== 'started') return { orderId, status: 'pending' }

  let result: ChargeResult
  try {
    result = await deps.payments.charge(
      { amountCents: order.totalCents, currency: order.currency, orderId, cardToken: cardOnFile(order) },
      { idempotencyKey: orderId },
    )
  } catch (err) {
    await endCharge(deps, orderId, attemptId)
    throw await failedAttempt(deps, job, err)
  }
  try {
    const settled = await deps.store.markPaid(orderId, result.charge.id, deps.now())
    return {
      orderId,
      status: settled?.status ?? 'paid',
      chargeId: result.charge.id,
      replayed: result.replayed,
    }
  } finally {
    await endCharge(deps, orderId, attemptId)
  }
}

/** Ends the attempt's lease; if Redis cannot be told, the lease lapses by itself. */
async function endCharge(deps: FulfilmentDeps, orderId: string, attemptId: string): Promise<void> {
  await deps.store.endCharge(orderId, attemptId).catch((err: unknown) => {
    deps.logger.warn({ orderId, err }, 'could not end the charge attempt; its lease will lapse')
  })
}

/** Settles the order when this failure is final, and returns what the processor should throw. */
async function failedAttempt(deps: FulfilmentDeps, job: Job<FulfilmentJobData>, err: unknown) {
  const { orderId } = job.data
  if (err instanceof CardDeclinedError) {
    await settle(deps, orderId, 'card_declined')
    return new FulfilmentAbortedError('card_declined', err.message, { cause: err })
  }
  if (err instanceof ProviderRejectedError) {
    await settle(deps, orderId, 'provider_rejected')
    return new FulfilmentAbortedError('provider_rejected', err.message, { cause: err })
  }
  if (err instanceof ProviderRetryableError) {
    if (err.retryAfterMs !== undefined && err.retryAfterMs > 0) await deps.pauseQueue(err.retryAfterMs)
    if (isLastAttempt(job)) await settle(deps, orderId, 'attempts_exhausted')
    deps.logger.warn(
      { orderId, attempt: job.attemptsMade + 1, status: err.status },
      'charge failed, will retry',
    )
  }
  return err
}

/** Settles a finally failed order; what cannot be decided now is left pending for the reconciler. */
async function settle(deps: FulfilmentDeps, orderId: string, reason: FulfilmentFailureReason): Promise<void> {
  await settleUnpaidOrder(deps, orderId, reason).catch((err: unknown) => {
    deps.logger.error({ orderId, reason, err }, 'could not settle the failed order; the reconciler will')
  })
}
