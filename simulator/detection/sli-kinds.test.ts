import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { startShop } from '../../services/shop/start-shop.ts'
import { dropPrefix, testPrefix, testRedisUrl } from '../../test/support/redis-sandbox.ts'
import { createScraper } from './create-scraper.ts'
import { formatSelector } from './series-selector.ts'
import { startShopMetricsTestServer } from './shop-metrics-test-server.ts'
import { ordersAvailabilitySlo, sloOn } from './shop-slis.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const latencySlo = sloOn({ name: 'orders-latency', sli: 'latency', objective: 0.95, thresholdMs: 250 })
const fulfilmentSlo = sloOn({ name: 'orders-paid', sli: 'fulfilment', objective: 0.99, deadlineMs: 1000 })

describe('SLIs beyond availability', () => {
  it('are ratios of counters named by selectors, as PromQL writes them', () => {
    expect(formatSelector(ordersAvailabilitySlo.sli.events.total)).toBe(
      'http_requests_total{method="POST",route="/orders"}',
    )
    expect(latencySlo.sli.events).toEqual({
      total: expect.objectContaining({ metric: 'http_request_duration_seconds_count' }),
      good: expect.objectContaining({ metric: 'http_request_duration_seconds_bucket' }),
    })
    const good = 'good' in latencySlo.sli.events ? latencySlo.sli.events.good : undefined
    expect(formatSelector(good!)).toBe(
      'http_request_duration_seconds_bucket{method="POST",route="/orders",le="0.25"}',
    )
    expect(latencySlo.sli.description).toBe('POST /orders answered within 250 ms')
    // A fulfilment SLO counts an order as handled when it is paid, or its charge deliberately deferred.
    const handled = 'good' in fulfilmentSlo.sli.events ? fulfilmentSlo.sli.events.good : undefined
    expect(formatSelector(handled!)).toBe(
      'fulfilment_order_settlement_seconds_bucket{outcome=~"paid|deferred",le="1"}',
    )
    expect(fulfilmentSlo.sli.description).toBe(
      'orders paid or deliberately deferred within 1 s of entering the fulfilment queue',
    )
  })

  it('latency: a request slower than the threshold is bad, from the real histogram', async () => {
    const api = await startShopMetricsTestServer()
    cleanup.push(() => api.close())
    const scraper = createScraper({
      targets: [api.url],
      intervalMs: 1000,
      clock: new ManualClock(),
      slos: [ordersAvailabilitySlo, latencySlo],
    })
    await scraper.scrapeOnce()
    await api.answer(201, 5)
    await api.answer(201, 3, '/orders', 300)
    await api.answer(500, 2)
    const tick = await scraper.scrapeOnce()
    expect(tick.slis).toEqual({
      'orders-availability': { total: 10, bad: 2 },
      'orders-latency': { total: 10, bad: 3 },
    })
    expect(scraper.seriesOf('orders-latency').series().at(-1)).toMatchObject({ total: 10, bad: 3 })
  })

  it('fulfilment: an order paid after its deadline, or failed, is bad, from the real worker’s metrics', async () => {
    const redisUrl = testRedisUrl()
    const prefix = testPrefix()
    const redis = new Redis(redisUrl)
    cleanup.push(async () => {
      await dropPrefix(redis, prefix)
      await redis.quit()
    })
    const shop = await startShop({ redisUrl, prefix, apiInstances: 1, workers: 1, flagsToken: 'test-token' })
    cleanup.push(() => shop.close())
    const scraper = createScraper({
      targets: [...shop.apiUrls, ...shop.workerMetricsUrls],
      intervalMs: 1000,
      clock: new ManualClock(),
      slos: [ordersAvailabilitySlo, fulfilmentSlo],
    })
    await scraper.scrapeOnce()

    const order = async (customerId: string) => {
      const response = await fetch(`${shop.apiUrls[0]}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId,
          items: [{ sku: 'TEA-1', qty: 1, unitPriceCents: 450 }],
          currency: 'EUR',
        }),
      })
      expect(response.status).toBe(201)
      return ((await response.json()) as { orderId: string }).orderId
    }
    const settled = async (ids: string[]) => {
      const deadline = Date.now() + 10_000
      for (const id of ids) {
        for (;;) {
          const view = (await (await fetch(`${shop.apiUrls[0]}/orders/${id}`)).json()) as { status: string }
          if (view.status !== 'pending') break
          if (Date.now() > deadline) throw new Error(`order ${id} still pending`)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
    }
    await settled([await order('c1'), await order('c2'), await order('declined')])
    await new RedisFaultModeStore(redis, prefix).set({ mode: 'latency', ms: 2500 })
    await settled([await order('c3'), await order('c4')])
    // The settlement is observed as the job completes, just after the order is marked: scrape until it shows.
    let tick = await scraper.scrapeOnce()
    for (let i = 0; i < 100 && tick.slis['orders-paid']!.total < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      tick = await scraper.scrapeOnce()
    }
    expect(tick.slis['orders-availability']).toEqual({ total: 5, bad: 0 })
    // Two paid in time (a second allows a busy machine); the declined card and the two paid 2.5 s after the order are
    // bad.
    expect(tick.slis['orders-paid']).toEqual({ total: 5, bad: 3 })
    expect(tick.targets.map((t) => t.up)).toEqual([1, 1])
  })
})
