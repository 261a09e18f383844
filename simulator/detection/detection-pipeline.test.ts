import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../record/clock/clock.ts'
import type { BurnRateRule } from '../../record/timings/burn-rate-rule.ts'
import { theoreticalDetectionMs } from '../../record/timings/theoretical-detection-ms.ts'
import { createOrderGenerator } from '../traffic/order-generator.ts'
import { startTraffic, type TrafficRun } from '../traffic/start-traffic.ts'
import {
  type BurnRateEvaluator,
  type BurnRateEvent,
  createBurnRateEvaluator,
} from './create-burn-rate-evaluator.ts'
import { createScraper, type Scraper } from './create-scraper.ts'
import { type ShopMetricsTestServer, startShopMetricsTestServer } from './shop-metrics-test-server.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

describe('detection pipeline', () => {
  it('pages on real traffic once the coupon fault burns the budget, and not before', async () => {
    const shops: ShopMetricsTestServer[] = [
      await startShopMetricsTestServer(),
      await startShopMetricsTestServer(),
    ]
    for (const shop of shops) cleanup.push(() => shop.close())
    // 1h/5m scaled down 3600×: 1 s / 250 ms. Objective 99%: 14.4× means more than 14.4% errors.
    const rule: BurnRateRule = {
      name: 'fast-burn',
      severity: 'page',
      longWindowMs: 1000,
      shortWindowMs: 250,
      burnRate: 14.4,
    }
    const scrapeIntervalMs = 50
    const evaluationIntervalMs = 50
    const traffic: TrafficRun = startTraffic({
      targets: shops.map((s) => s.url),
      ratePerSecond: 200,
      generator: createOrderGenerator({ seed: 9, couponShare: 0.5, itemsPerOrder: { min: 1, max: 3 } }),
      intervalMs: 100,
      timeoutMs: 5000,
    })
    cleanup.push(() => traffic.stop())
    const scraper: Scraper = createScraper({
      targets: shops.map((s) => s.url),
      intervalMs: scrapeIntervalMs,
      clock: systemClock,
    })
    scraper.start()
    cleanup.push(() => scraper.stop())

    let paged: (event: BurnRateEvent) => void = () => undefined
    const page = new Promise<BurnRateEvent>((resolve) => {
      paged = resolve
    })
    const evaluator: BurnRateEvaluator = createBurnRateEvaluator({
      objective: 0.99,
      rules: [rule],
      evaluationIntervalMs,
      clock: systemClock,
      source: scraper,
      onEvent: (event) => {
        if (event.type === 'firing') paged(event)
      },
    })
    evaluator.start()
    cleanup.push(() => evaluator.stop())

    // Let a long window of clean traffic through first: nothing may fire on it.
    await new Promise<void>((resolve) => {
      const check = scraper
      const wait = () => ((check.series().at(-1)?.total ?? 0) >= 250 ? resolve() : setTimeout(wait, 20))
      setTimeout(wait, 20)
    })
    expect(evaluator.events().some((e) => e.type === 'firing')).toBe(false)
    const faultAt = Date.now()
    for (const shop of shops) shop.setCouponFault(true)

    const fired = await page
    if (fired.type !== 'firing') throw new Error('unreachable')
    const { long, short } = fired.alert.evidence
    expect(fired.at).toBeGreaterThan(faultAt)
    expect(long.burnRate!).toBeGreaterThan(14.4)
    expect(short.burnRate!).toBeGreaterThan(14.4)
    expect(long.bad).toBeGreaterThan(0)
    // Not before the arithmetic allows (half of it, for the sampling noise of a 50% coupon share); how much
    // later depends on the machine, so that side is not asserted (measured: ~390 ms against 388 ms).
    const theory = theoreticalDetectionMs({
      errorRatio: 0.5,
      objective: 0.99,
      rule,
      scrapeIntervalMs,
      evaluationIntervalMs,
    })
    expect(fired.at - faultAt).toBeGreaterThanOrEqual((theory - scrapeIntervalMs - evaluationIntervalMs) / 2)
  })
})
