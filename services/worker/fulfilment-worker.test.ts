import { once } from 'node:events'
import type { Job } from 'bullmq'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, metricValue, type TestShop, testShop } from '../../test/support/test-shop.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from './start-fulfilment-worker.ts'

describe('fulfilment worker', () => {
  let shop: TestShop
  let handle: FulfilmentWorker

  beforeEach(async () => {
    shop = testShop()
    handle = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      reconcileIntervalMs: 200,
    })
  })

  afterEach(async () => {
    await handle.close()
    await shop.close()
  })

  it('charges an order once and marks it paid', async () => {
    const order = await shop.placeOrder()
    const paid = await shop.settled(order.id)
    expect(paid).toMatchObject({ status: 'paid', chargeId: expect.stringMatching(/^ch_/) })
    expect(await shop.charges(order.id)).toBe(1)
    await expect.poll(() => metricValue(handle.registry, 'fulfilment_jobs_completed_total')).toBe(1)
    expect(await metricValue(handle.registry, 'payments_requests_total', { status_code: '200' })).toBe(1)
    expect(
      await metricValue(handle.registry, 'fulfilment_job_duration_seconds_count', { outcome: 'paid' }),
    ).toBe(1)
  })

  it('fails a declined card at once: one attempt, order failed, no retry', async () => {
    const failed = once(handle.worker, 'failed') as Promise<[Job, Error]>
    const order = await shop.placeOrder({ customerId: 'declined' })
    const [job] = await failed
    expect(job.attemptsMade).toBe(1)
    expect(await shop.orders.get(order.id)).toMatchObject({
      status: 'failed',
      failureReason: 'card_declined',
    })
    expect(await shop.attempts()).toBe(1)
    expect(await shop.charges()).toBe(0)
    expect(
      await metricValue(handle.registry, 'fulfilment_jobs_failed_total', { reason: 'card_declined' }),
    ).toBe(1)
  })

  it('completes an order that is already paid without charging it', async () => {
    const completed = once(handle.worker, 'completed')
    await shop.placeOrder({ status: 'paid', chargeId: 'ch_earlier' })
    await completed
    expect(await shop.attempts()).toBe(0)
  })

  it('fails the order once the attempts run out and the provider, asked, says it charged nothing', async () => {
    await shop.faults.set({ mode: 'outage' })
    // The api's options, with fewer attempts so the test does not wait out eight backoffs.
    const order = await shop.placeOrder({}, { attempts: 2 })
    await eventually('the job to fail for good', async () =>
      (await shop.queue.getJobState(order.id)) === 'failed' ? true : undefined,
    )
    // While the provider cannot say whether an attempt charged, the order is not failed.
    await expect
      .poll(() => metricValue(handle.registry, 'fulfilment_charge_lookups_total', { result: 'unavailable' }))
      .toBeGreaterThanOrEqual(1)
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'pending' })
    await shop.faults.clear()
    const settled = await shop.settled(order.id)
    expect(settled).toMatchObject({ status: 'failed', failureReason: 'attempts_exhausted' })
    expect(await shop.charges()).toBe(0)
    // The job's last attempt and the reconciler may both ask; either way the order fails once, below.
    expect(
      await metricValue(handle.registry, 'fulfilment_charge_lookups_total', { result: 'not_charged' }),
    ).toBeGreaterThanOrEqual(1)
    expect(
      await metricValue(handle.registry, 'fulfilment_jobs_failed_total', { reason: 'attempts_exhausted' }),
    ).toBe(1)
    expect(
      await metricValue(handle.registry, 'payments_requests_total', { status_code: '503' }),
    ).toBeGreaterThanOrEqual(2)
  })

  it('reports the queue depth by state on scrape', async () => {
    await handle.worker.pause()
    await shop.placeOrder()
    await shop.placeOrder()
    expect(await metricValue(handle.registry, 'fulfilment_queue_depth', { state: 'waiting' })).toBe(2)
    const text = await handle.registry.metrics()
    expect(text).toContain('fulfilment_queue_depth{state="delayed"} 0')
  })

  it('finishes the job in hand on close', async () => {
    await shop.faults.set({ mode: 'latency', ms: 300 })
    const active = once(handle.worker, 'active')
    const order = await shop.placeOrder()
    await active
    await handle.close()
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'paid' })
    expect(await shop.charges(order.id)).toBe(1)
  })
})
