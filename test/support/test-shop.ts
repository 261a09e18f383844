import { randomUUID } from 'node:crypto'
import { type JobsOptions, Queue } from 'bullmq'
import type { Registry } from 'prom-client'
import {
  FULFILMENT_JOB_NAME,
  type FulfilmentJobData,
  fulfilmentJobOptions,
} from '../../services/orders/fulfilment-job.ts'
import type { Order } from '../../services/orders/order.ts'
import { RedisOrderStore } from '../../services/orders/redis-order-store.ts'
import { chargeAttempts, chargeCount } from '../../services/payments/charge-ledger.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../services/platform/keys.ts'
import { redisSandbox } from './redis-sandbox.ts'

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** One sample's value of a metric; `name` may be a histogram's `_count` or `_sum`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(count|sum)$/, ''))
  if (metric === undefined) throw new Error(`no metric ${name}`)
  const { values } = await metric.get()
  const match = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  )
  return match?.value ?? 0
}

/**
 * A shop for worker tests: its own prefix and api key, an order store, and the fulfilment queue the api
 * enqueues on. `placeOrder` stores an order and enqueues its job exactly as the checkout api does.
 */
export function testShop() {
  const sandbox = redisSandbox()
  const { redis, prefix, url } = sandbox
  const apiKey = `sk_test_${randomUUID()}`
  const orders = new RedisOrderStore(redis, prefix)
  const queue = new Queue<FulfilmentJobData>(FULFILMENT_QUEUE, {
    connection: redis,
    prefix: keyspace(prefix).bullPrefix,
  })
  const faults = new RedisFaultModeStore(redis, prefix)

  return {
    url,
    prefix,
    apiKey,
    redis,
    orders,
    queue,
    faults,
    /** `jobOptions` override the api's job options (only to shorten a test, e.g. fewer attempts). */
    async placeOrder(overrides: Partial<Order> = {}, jobOptions: JobsOptions = {}): Promise<Order> {
      const at = new Date().toISOString()
      const order: Order = {
        id: `ord_${randomUUID()}`,
        customerId: 'cus_1',
        items: [{ sku: 'sku-1', qty: 2, unitPriceCents: 2100 }],
        currency: 'EUR',
        totalCents: 4200,
        pricing: 'standard',
        status: 'pending',
        createdAt: at,
        updatedAt: at,
        ...overrides,
      }
      await orders.create(order)
      await queue.add(
        FULFILMENT_JOB_NAME,
        { orderId: order.id },
        { ...fulfilmentJobOptions(order.id), ...jobOptions },
      )
      return order
    },
    /** Waits until the order leaves `pending`, and returns it. */
    settled(orderId: string, timeoutMs?: number): Promise<Order> {
      return eventually(
        `order ${orderId} to settle`,
        async () => {
          const order = await orders.get(orderId)
          return order?.status === 'pending' ? undefined : order
        },
        timeoutMs,
      )
    },
    charges: (orderId?: string) => chargeCount(redis, prefix, orderId),
    attempts: () => chargeAttempts(redis, prefix),
    async close() {
      await queue.obliterate({ force: true })
      await queue.close()
      await sandbox.close()
    },
  }
}

export type TestShop = ReturnType<typeof testShop>
