import type { Order } from './order.ts'

/** What `beginCharge` found: the attempt may charge (`started`), or must not. */
export type ChargeStart =
  | { state: 'started' }
  /** The order is paid or failed already. */
  | { state: 'settled'; order: Order }
  /** Someone is failing the order: no new charge may start. */
  | { state: 'fenced' }
  | { state: 'missing' }

/** What `fenceForFailure` found. */
export type FailureFence =
  /** No charge attempt is in flight and none can start: ask the provider, then settle. `reason` is the first one given. */
  | { state: 'fenced'; reason: string }
  /** A charge attempt is in flight (its lease ends in `retryInMs`): the provider may still charge. */
  | { state: 'busy'; retryInMs: number }
  | { state: 'settled'; order: Order }
  | { state: 'missing' }

/** A pending order and when it was created (ms since the epoch). */
export interface PendingOrder {
  id: string
  createdAtMs: number
}

/**
 * The orders and their way out of `pending`. An order is paid once a charge is known; it is failed only
 * under a fence: `fenceForFailure` stops new charge attempts and waits out the ones in flight, so that the
 * provider, asked afterwards, has the last word on whether it charged.
 */
export interface OrderStore {
  /** Stores a new pending order (once per id). */
  create(order: Order): Promise<void>
  get(id: string): Promise<Order | undefined>
  /** Registers a charge attempt in flight for `leaseMs` at most, unless the order is settled or fenced. */
  beginCharge(id: string, attemptId: string, leaseMs: number): Promise<ChargeStart>
  /** Ends a charge attempt (answered or not). */
  endCharge(id: string, attemptId: string): Promise<void>
  /** Fences a pending order for failure, unless a charge attempt is still in flight. */
  fenceForFailure(id: string, reason: string): Promise<FailureFence>
  /** Marks a pending order paid (fenced or not); a second call is a no-op. Returns the stored order. */
  markPaid(id: string, chargeId: string, at: Date): Promise<Order | undefined>
  /** Marks a fenced pending order failed; an order that is not fenced stays pending. Returns the stored order. */
  markFailed(id: string, reason: string, at: Date): Promise<Order | undefined>
  /** Pending orders, oldest first: `limit` of them from position `offset`. */
  pendingOrders(offset: number, limit: number): Promise<PendingOrder[]>
}
