import type { Redis } from 'ioredis'
import { keyspace } from '../platform/keys.ts'
import type { Order, OrderStatus } from './order.ts'
import type { ChargeStart, FailureFence, OrderStore, PendingOrder } from './order-store.ts'
import { ORDER_SCRIPTS } from './order-store-scripts.ts'

/**
 * Orders as JSON values in Redis, with an index of the pending ones, the charge attempts in flight per order
 * and the failure fence. Every move out of `pending` is one Lua script, so a paid order never turns failed,
 * and an order is failed only when no charge attempt can still be under way.
 */
export class RedisOrderStore implements OrderStore {
  readonly #redis: Redis
  readonly #keys: ReturnType<typeof keyspace>

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#keys = keyspace(prefix)
  }

  async create(order: Order): Promise<void> {
    await this.#redis.eval(
      ORDER_SCRIPTS.create,
      2,
      this.#keys.orders(order.id),
      this.#keys.ordersPending,
      JSON.stringify(order),
      String(Date.parse(order.createdAt)),
      order.id,
    )
  }

  async get(id: string): Promise<Order | undefined> {
    const raw = await this.#redis.get(this.#keys.orders(id))
    return raw === null ? undefined : (JSON.parse(raw) as Order)
  }

  async beginCharge(id: string, attemptId: string, leaseMs: number): Promise<ChargeStart> {
    const [state, raw] = (await this.#redis.eval(
      ORDER_SCRIPTS.beginCharge,
      3,
      ...this.#orderKeys(id),
      attemptId,
      String(Math.ceil(leaseMs)),
    )) as [ChargeStart['state'], string | undefined]
    if (state === 'settled') return { state, order: JSON.parse(raw!) as Order }
    return { state } as ChargeStart
  }

  async endCharge(id: string, attemptId: string): Promise<void> {
    await this.#redis.zrem(this.#keys.orderChargeAttempts(id), attemptId)
  }

  async fenceForFailure(id: string, reason: string): Promise<FailureFence> {
    const [state, detail] = (await this.#redis.eval(
      ORDER_SCRIPTS.fenceForFailure,
      3,
      ...this.#orderKeys(id),
      reason,
    )) as [FailureFence['state'], string | undefined]
    switch (state) {
      case 'fenced':
        return { state, reason: detail! }
      case 'busy':
        return { state, retryInMs: Number(detail) }
      case 'settled':
        return { state, order: JSON.parse(detail!) as Order }
      default:
        return { state: 'missing' }
    }
  }

  markPaid(id: string, chargeId: string, at: Date): Promise<Order | undefined> {
    return this.#settle(id, 'paid', chargeId, at)
  }

  markFailed(id: string, reason: string, at: Date): Promise<Order | undefined> {
    return this.#settle(id, 'failed', reason, at)
  }

  async pendingOrders(offset: number, limit: number): Promise<PendingOrder[]> {
    const last = String(offset + limit - 1)
    const flat = await this.#redis.zrange(this.#keys.ordersPending, String(offset), last, 'WITHSCORES')
    const pending: PendingOrder[] = []
    for (let i = 0; i + 1 < flat.length; i += 2)
      pending.push({ id: flat[i]!, createdAtMs: Number(flat[i + 1]) })
    return pending
  }

  /** The order, its failure fence and its charge attempts: the keys every per-order script takes. */
  #orderKeys(id: string): [string, string, string] {
    return [this.#keys.orders(id), this.#keys.orderFence(id), this.#keys.orderChargeAttempts(id)]
  }

  async #settle(id: string, status: OrderStatus, detail: string, at: Date): Promise<Order | undefined> {
    const raw = (await this.#redis.eval(
      ORDER_SCRIPTS.settle,
      4,
      ...this.#orderKeys(id),
      this.#keys.ordersPending,
      status,
      at.toISOString(),
      detail,
      id,
    )) as string | null
    return raw === null ? undefined : (JSON.parse(raw) as Order)
  }
}
