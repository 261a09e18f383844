import type { Order } from '../orders/order.ts'
import type { OrderStore } from '../orders/order-store.ts'
import type { PaymentsClient } from '../payments/payments-client.ts'
import { ProviderRetryableError } from '../payments/payments-errors.ts'
import type { Logger } from '../platform/logger.ts'
import type { FulfilmentFailureReason } from './fulfilment-aborted-error.ts'

export interface SettleUnpaidDeps {
  store: OrderStore
  payments: Pick<PaymentsClient, 'findChargeByIdempotencyKey'>
  now: () => Date
  logger: Logger
  /** Told what each lookup found (for metrics). @defaultValue nothing */
  onLookup?: (result: 'charged' | 'not_charged' | 'unavailable') => void
  /** Told of each order this function settled (not one it found settled already), for metrics. @defaultValue nothing */
  onSettled?: (order: Order, outcome: 'paid' | 'failed') => void
}

export type SettleOutcome =
  /** The provider had charged after all: the order is paid. */
  | { outcome: 'paid'; order: Order }
  | { outcome: 'failed'; order: Order }
  /** Paid or failed already, by someone else. */
  | { outcome: 'settled'; order: Order }
  | { outcome: 'missing' }
  /**
   * Cannot be decided yet, and the order stays pending: a charge attempt is still in flight, or the provider
   * could not say whether it charged. The reconciler tries again.
   */
  | { outcome: 'undecided'; why: 'charge_in_flight' | 'provider_unavailable'; retryInMs?: number }

/**
 * The one way an order is failed: fence it (no new charge attempt may start; wait out the ones in flight),
 * then ask the provider whether the order's idempotency key charged. A charged order is paid, whatever went
 * wrong on the way; only an order the provider did not charge is failed, with `reason`.
 */
export async function settleUnpaidOrder(
  deps: SettleUnpaidDeps,
  orderId: string,
  reason: FulfilmentFailureReason,
): Promise<SettleOutcome> {
  const fence = await deps.store.fenceForFailure(orderId, reason)
  if (fence.state === 'missing') return { outcome: 'missing' }
  if (fence.state === 'settled') return { outcome: 'settled', order: fence.order }
  if (fence.state === 'busy') {
    return { outcome: 'undecided', why: 'charge_in_flight', retryInMs: fence.retryInMs }
  }

  let charge: Awaited<ReturnType<PaymentsClient['findChargeByIdempotencyKey']>>
  try {
    charge = await deps.payments.findChargeByIdempotencyKey(orderId)
  } catch (err) {
    if (!(err instanceof ProviderRetryableError)) throw err
    deps.onLookup?.('unavailable')
    deps.logger.warn({ orderId, err }, 'cannot ask the provider whether it charged; the order stays pending')
    return { outcome: 'undecided', why: 'provider_unavailable' }
  }
  deps.onLookup?.(charge === undefined ? 'not_charged' : 'charged')

  if (charge !== undefined) {
    const order = await deps.store.markPaid(orderId, charge.id, deps.now())
    if (order === undefined) return { outcome: 'missing' }
    deps.logger.warn(
      { orderId, chargeId: charge.id, reason: fence.reason },
      'the provider had charged an order about to fail: marked paid',
    )
    if (order.chargeId !== charge.id) return { outcome: 'settled', order }
    deps.onSettled?.(order, 'paid')
    return { outcome: 'paid', order }
  }
  const order = await deps.store.markFailed(orderId, fence.reason, deps.now())
  if (order === undefined) return { outcome: 'missing' }
  if (order.status !== 'failed' || order.failureReason !== fence.reason) return { outcome: 'settled', order }
  deps.onSettled?.(order, 'failed')
  return { outcome: 'failed', order }
}
