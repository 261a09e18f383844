import type { Order } from './order.ts'

export interface OrderStore {
  create(order: Order): Promise<void>
  get(id: string): Promise<Order | undefined>
  /** Marks a pending order paid; a second call with the same charge is a no-op. Returns the stored order. */
  markPaid(id: string, chargeId: string, at: Date): Promise<Order | undefined>
  /** Marks a pending order failed (a declined card, or retries exhausted). Returns the stored order. */
  markFailed(id: string, reason: string, at: Date): Promise<Order | undefined>
}
