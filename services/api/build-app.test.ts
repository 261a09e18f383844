import { Queue } from 'bullmq'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { FULFILMENT_QUEUE, keyspace } from '../platform/keys.ts'
import { provisionRedis } from '../platform/redis/redis-provisioner.ts'
import { ApiErrorCode } from './api-errors.ts'
import { buildApp } from './build-app.ts'
import { staticFlags } from './flag-evaluator.ts'

const order = {
  customerId: 'cus_1',
  items: [
    { sku: 'TEA-1', qty: 2, unitPriceCents: 450 },
    { sku: 'MUG-2', qty: 1, unitPriceCents: 1200 },
  ],
  currency: 'EUR',
  couponCode: 'SAVE10',
}

describe('checkout api', () => {
  let sandbox: ReturnType<typeof redisSandbox>
  beforeEach(() => {
    sandbox = redisSandbox()
  })
  afterEach(async () => {
    const queue = new Queue(FULFILMENT_QUEUE, {
      connection: sandbox.redis,
      prefix: keyspace(sandbox.prefix).bullPrefix,
    })
    await queue.obliterate({ force: true })
    await queue.close()
    await sandbox.close()
  })

  async function app(flags = staticFlags({})) {
    return buildApp({ redisUrl: sandbox.url, prefix: sandbox.prefix, flags })
  }

  it('prices, stores and enqueues an order', async () => {
    const api = await app()
    const created = await api.inject({ method: 'POST', url: '/orders', payload: order })
    expect(created.statusCode).toBe(201)
    const body = created.json()
    expect(body).toMatchObject({ totalCents: 1890, status: 'pending' })

    const fetched = await api.inject({ method: 'GET', url: `/orders/${body.orderId}` })
    expect(fetched.json()).toMatchObject({ orderId: body.orderId, pricing: 'standard', couponCode: 'SAVE10' })

    const queue = new Queue(FULFILMENT_QUEUE, {
      connection: sandbox.redis,
      prefix: keyspace(sandbox.prefix).bullPrefix,
    })
    const job = await queue.getJob(body.orderId)
    expect(job?.data).toEqual({ orderId: body.orderId })
    await queue.close()
    await api.close()
  })

  it('takes the flagged pricing path when checkout.new-pricing is on', async () => {
    const api = await app(staticFlags({ 'checkout.new-pricing': true }))
    const created = (await api.inject({ method: 'POST', url: '/orders', payload: order })).json()
    const fetched = (await api.inject({ method: 'GET', url: `/orders/${created.orderId}` })).json()
    expect(fetched).toMatchObject({ pricing: 'new', totalCents: 1890 })
    const metrics = (await api.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toContain('orders_created_total{pricing="new"} 1')
    await api.close()
  })

  it('refuses orders with 503 while the kill switch is off', async () => {
    const api = await app(staticFlags({ 'checkout.accepting-orders': false }))
    const res = await api.inject({ method: 'POST', url: '/orders', payload: order })
    expect(res.statusCode).toBe(503)
    expect(res.json().code).toBe(ApiErrorCode.ORDERS_PAUSED)
    await api.close()
  })

  it.each([
    [{ ...order, customerId: undefined }, 'body'],
    [{ ...order, items: [] }, 'body.items'],
    [{ ...order, items: [{ sku: 'A', qty: 0, unitPriceCents: 1 }] }, 'body.items.0.qty'],
    [{ ...order, currency: 'JPY' }, 'body.currency'],
    [{ ...order, extra: 1 }, 'unknown property "extra"'],
  ])('answers 400 naming the field for a bad body (%#)', async (payload, field) => {
    const api = await app()
    const res = await api.inject({ method: 'POST', url: '/orders', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: ApiErrorCode.INVALID_REQUEST })
    expect(res.json().message).toContain(field)
    await api.close()
  })

  it('answers 404 for an unknown order', async () => {
    const api = await app()
    const res = await api.inject({ method: 'GET', url: '/orders/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe(ApiErrorCode.ORDER_NOT_FOUND)
    await api.close()
  })

  it('exposes the request histogram by route pattern', async () => {
    const api = await app()
    await api.inject({ method: 'GET', url: '/orders/abc' })
    const metrics = (await api.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/orders\/:id",status_code="404"\} 1/,
    )
    await api.close()
  })
})

describe('checkout api with Redis down', () => {
  it('answers 503 on /readyz and on writes, and keeps serving /healthz', async () => {
    const redis = await provisionRedis({ env: {}, probeLocal: false })
    const api = await buildApp({ redisUrl: redis.url, prefix: 'down', flags: staticFlags({}) })
    expect((await api.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    await redis.stop()

    const ready = await api.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json().status).toBe('unavailable')
    const write = await api.inject({ method: 'POST', url: '/orders', payload: order })
    expect(write.statusCode).toBe(503)
    expect(write.json().code).toBe(ApiErrorCode.STORE_UNAVAILABLE)
    const read = await api.inject({ method: 'GET', url: '/orders/x' })
    expect(read.statusCode).toBe(503)
    expect((await api.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    await api.close()
  })
})
