import type { Redis } from 'ioredis'
import { keyspace } from '../platform/keys.ts'
import type { Order, OrderStatus } from './order.ts'
import type { OrderStore } from './order-store.ts'

/** Moves an order out of `pending` atomically, so a paid order never turns failed (or paid twice). */
const SETTLE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local order = cjson.decode(raw)
if order.status == 'pending' then
  order.status = ARGV[1]
  order.updatedAt = ARGV[2]
  if ARGV[1] == 'paid' then order.chargeId = ARGV[3] else order.failureReason = ARGV[3] end
  raw = cjson.encode(order)
  redis.call('SET', KEYS[1], raw)
end
return raw
`

export class RedisOrderStore implements OrderStore {
  readonly #redis: Redis
  readonly #keys: ReturnType<typeof keyspace>

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#keys = keyspace(prefix)
  }

  async create(order: Order): Promise<void> {
    await this.#redis.set(this.#keys.orders(order.id), JSON.stringify(order), 'NX')
  }

  async get(id: string): Promise<Order | undefined> {
    const raw = await this.#redis.get(this.#keys.orders(id))
    return raw === null ? undefined : (JSON.parse(raw) as Order)
  }

  markPaid(id: string, chargeId: string, at: Date): Promise<Order | undefined> {
    return this.#settle(id, 'paid', chargeId, at)
  }

  markFailed(id: string, reason: string, at: Date): Promise<Order | undefined> {
    return this.#settle(id, 'failed', reason, at)
  }

  async #settle(id: string, status: OrderStatus, detail: string, at: Date): Promise<Order | undefined> {
    const raw = (await this.#redis.eval(
      SETTLE,
      1,
      this.#keys.orders(id),
      status,
      at.toISOString(),
      detail,
    )) as string | null
    return raw === null ? undefined : (JSON.parse(raw) as Order)
  }
}
