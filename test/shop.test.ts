import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FlagsHttpClient } from '../services/flags/index.ts'
import { chargeCount } from '../services/payments/charge-ledger.ts'
import type { RunningShop } from '../services/shop/shop-options.ts'
import { startShop } from '../services/shop/start-shop.ts'
import { redisSandbox } from './support/redis-sandbox.ts'

const order = (customerId: string) => ({
  customerId,
  items: [{ sku: 'TEA-1', qty: 2, unitPriceCents: 450 }],
  currency: 'EUR',
})

async function post(url: string, body: unknown) {
  const res = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the shop on real sockets', () => {
  const sandbox = redisSandbox()
  let shop: RunningShop
  const token = 'test-token'

  beforeAll(async () => {
    shop = await startShop({
      redisUrl: sandbox.url,
      prefix: sandbox.prefix,
      apiInstances: 3,
      workers: 2,
      flagsToken: token,
    })
  })
  afterAll(async () => {
    await shop.close()
    await sandbox.close()
  })

  it('takes an order end to end: POST → job → charge → paid, charged once', async () => {
    const created = await post(shop.apiUrls[0]!, order('cus_e2e'))
    expect(created.status).toBe(201)
    const id = String(created.body.orderId)
    const paid = await until('the order to be paid', async () => {
      const res = await fetch(`${shop.apiUrls[1]}/orders/${id}`)
      const body = (await res.json()) as { status: string }
      return body.status === 'paid' ? body : undefined
    })
    expect(paid).toMatchObject({ status: 'paid', totalCents: 900 })
    expect(await chargeCount(sandbox.redis, sandbox.prefix, id)).toBe(1)
  })

  it('a kill-switch flip reaches every api instance', async () => {
    const flags = new FlagsHttpClient({ baseUrl: shop.flagsUrl, token })
    await flags.set('checkout.accepting-orders', { defaultVariant: 'off' }, 'test: pause orders')
    try {
      for (const url of shop.apiUrls) {
        await until(`${url} to refuse orders`, async () =>
          (await post(url, order('cus_flip'))).status === 503 ? true : undefined,
        )
      }
      const audit = await flags.audit()
      expect(audit[0]).toMatchObject({ flag: 'checkout.accepting-orders', reason: 'test: pause orders' })
    } finally {
      await flags.set('checkout.accepting-orders', { defaultVariant: 'on' }, 'test: resume orders')
    }
    for (const url of shop.apiUrls) {
      await until(`${url} to take orders again`, async () =>
        (await post(url, order('cus_flip'))).status === 201 ? true : undefined,
      )
    }
  })

  it('serves metrics an operator can alert on, from every api instance', async () => {
    await post(shop.apiUrls[2]!, order('cus_metrics'))
    const text = await (await fetch(`${shop.apiUrls[2]}/metrics`)).text()
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/orders",status_code="201"\}/,
    )
    expect(text).toContain('orders_created_total{pricing="standard"}')
    const worker = await (await fetch(shop.workerMetricsUrls[0]!)).text()
    expect(worker).toContain('fulfilment_queue_depth')
  })
})
