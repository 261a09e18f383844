import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, type TestShop, testShop } from '../../../test/support/test-shop.ts'
import type { RedisOrderStore } from '../../orders/redis-order-store.ts'
import { keyspace } from '../../platform/keys.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from '../../worker/start-fulfilment-worker.ts'
import { ApiErrorCode } from '../api-errors.ts'
import { buildApp } from '../build-app.ts'
import { staticFlags } from '../flag-evaluator.ts'

/** One UTF-16 code unit or code point of any kind: mostly well-formed, now and then half a surrogate pair. */
const anyUnit = fc.oneof(
  { weight: 30, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
)
const anyText = (maxLength: number) => fc.string({ unit: anyUnit, minLength: 0, maxLength })

const orderBody = fc.record(
  {
    customerId: fc.oneof(anyText(130), fc.constant('declined')),
    items: fc.array(
      fc.record({
        sku: anyText(66),
        qty: fc.integer({ min: 1, max: 5 }),
        unitPriceCents: fc.integer({ min: 0, max: 100_000 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    currency: fc.constantFrom('EUR', 'USD', 'GBP'),
    couponCode: anyText(34),
  },
  { requiredKeys: ['customerId', 'items', 'currency'] },
)

describe('orders the api accepts, whatever text they carry', () => {
  let shop: TestShop
  let api: FastifyInstance
  let worker: FulfilmentWorker
  let orders: RedisOrderStore

  beforeAll(async () => {
    shop = testShop()
    orders = shop.orders
    api = await buildApp({ redisUrl: shop.url, prefix: shop.prefix, flags: staticFlags({}) })
    worker = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      concurrency: 4,
    })
  })

  afterAll(async () => {
    await worker.close()
    await api.close()
    await shop.close()
  })

  it('reach paid or failed: the api refuses (400) what the worker could not settle', async () => {
    const answers = { accepted: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(orderBody, async (body) => {
        const res = await api.inject({ method: 'POST', url: '/orders', payload: body })
        if (res.statusCode === 400) {
          answers.refused++
          return
        }
        expect(res.statusCode).toBe(201)
        answers.accepted++
        const { orderId } = res.json() as { orderId: string }
        const settled = await eventually(
          `order ${orderId} to leave pending`,
          async () => {
            const order = await orders.get(orderId)
            return order?.status === 'pending' ? undefined : order
          },
          3000,
        )
        expect(['paid', 'failed']).toContain(settled?.status)
      }),
      { numRuns: 80, endOnFailure: true },
    )
    // The property saw both sides: orders it accepted and settled, and orders it refused.
    expect(answers.accepted).toBeGreaterThan(10)
    expect(answers.refused).toBeGreaterThan(0)
  })

  it.each([
    ['customerId', { customerId: 'cus_\ud800' }, 'body.customerId'],
    ['sku', { items: [{ sku: '\udc00sku', qty: 1, unitPriceCents: 100 }] }, 'body.items.0.sku'],
    ['couponCode', { couponCode: 'SAVE\udbff' }, 'body.couponCode'],
  ])('refuses a lone surrogate in %s with 400 naming the field', async (_field, change, path) => {
    const base = {
      customerId: 'cus_1',
      items: [{ sku: 'TEA-1', qty: 1, unitPriceCents: 450 }],
      currency: 'EUR',
    }
    const res = await api.inject({ method: 'POST', url: '/orders', payload: { ...base, ...change } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: ApiErrorCode.INVALID_REQUEST })
    expect(res.json().message).toContain(path)
    // Nothing was stored: no order waits to be settled.
    expect(await shop.redis.zcard(keyspace(shop.prefix).ordersPending)).toBe(0)
  })

  it('accepts well-formed text beyond ASCII, surrogate pairs included', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/orders',
      payload: {
        customerId: 'kunde-ü-😀',
        items: [{ sku: '茶-1', qty: 1, unitPriceCents: 450 }],
        currency: 'EUR',
      },
    })
    expect(res.statusCode).toBe(201)
    const { orderId } = res.json() as { orderId: string }
    expect(await shop.settled(orderId)).toMatchObject({ status: 'paid', customerId: 'kunde-ü-😀' })
  })
})
