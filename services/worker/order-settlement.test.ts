import { once } from 'node:events'
import { type Job, Worker } from 'bullmq'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, metricValue, type TestShop, testShop } from '../../test/support/test-shop.ts'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import { recordCharge } from '../payments/charge-ledger.ts'
import { FULFILMENT_QUEUE, keyspace } from '../platform/keys.ts'
import { JOB_MISSING_GRACE_MS } from './order-reconciler.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from './start-fulfilment-worker.ts'

describe('an order is failed only when the provider did not charge it', () => {
  let shop: TestShop
  const workers: FulfilmentWorker[] = []

  beforeEach(() => {
    shop = testShop()
  })

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close()
    await shop.close()
  })

  async function startWorker(options: { stalledIntervalMs?: number; now?: () => Date } = {}) {
    const worker = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      reconcileIntervalMs: 100,
      ...options,
    })
    workers.push(worker)
    return worker
  }

  /** Fails the order's job the way a worker that died before settling it would leave it: job failed, order pending. */
  async function failJobWithoutSettling(orderId: string): Promise<void> {
    const connection = shop.redis.duplicate()
    const crashed = new Worker<FulfilmentJobData>(
      FULFILMENT_QUEUE,
      async () => {
        throw new Error('the worker died before it settled the order')
      },
      { connection, prefix: keyspace(shop.prefix).bullPrefix },
    )
    await once(crashed, 'failed')
    await crashed.close()
    await connection.quit()
    expect(await shop.queue.getJobState(orderId)).toBe('failed')
    expect(await shop.orders.get(orderId)).toMatchObject({ status: 'pending' })
  }

  it('pays an order whose job failed after the provider had charged it (the answer never arrived)', async () => {
    const order = await shop.placeOrder({}, { attempts: 1 })
    // The provider recorded the charge; the worker that asked for it died before the answer came.
    await recordCharge(
      shop.redis,
      shop.prefix,
      { amountCents: order.totalCents, currency: order.currency, orderId: order.id, cardToken: 'tok_cus_1' },
      order.id,
      new Date(),
    )
    await failJobWithoutSettling(order.id)
    const worker = await startWorker()
    const settled = await shop.settled(order.id)
    expect(settled).toMatchObject({ status: 'paid', chargeId: expect.stringMatching(/^ch_/) })
    expect(await shop.charges(order.id)).toBe(1)
    expect(await metricValue(worker.registry, 'fulfilment_charge_lookups_total', { result: 'charged' })).toBe(
      1,
    )
  })

  it('fails an order whose job failed once the provider says it charged nothing', async () => {
    const order = await shop.placeOrder({}, { attempts: 1 })
    await failJobWithoutSettling(order.id)
    await startWorker()
    expect(await shop.settled(order.id)).toMatchObject({
      status: 'failed',
      failureReason: 'attempts_exhausted',
    })
    expect(await shop.charges()).toBe(0)
  })

  it('does not fail an order while another worker still charges it (its job failed for stalling)', async () => {
    // The charge is recorded 1.5 s after the request, long after the job is failed under the charging worker.
    await shop.faults.set({ mode: 'latency', ms: 1500 })
    const holder = await startWorker({ stalledIntervalMs: 100 })
    const active = once(holder.worker, 'active')
    const order = await shop.placeOrder()
    await active
    await eventually('the charge to be in flight', async () =>
      (await shop.attempts()) >= 1 ? true : undefined,
    )

    // The holder's lock vanishes and the job has stalled once before: the next stall check fails it, and a
    // worker (either one) fails the job while the holder's charge is still under way.
    const other = await startWorker({ stalledIntervalMs: 100 })
    const failedJobs: Promise<[Job, Error]>[] = [holder, other].map(
      (w) => once(w.worker, 'failed') as Promise<[Job, Error]>,
    )
    const jobKey = shop.queue.toKey(order.id)
    await shop.redis.hset(jobKey, 'stc', '1')
    await shop.redis.del(`${jobKey}:lock`)
    const [, err] = await Promise.race(failedJobs)
    expect(err.message).toMatch(/stalled/)

    const settled = await shop.settled(order.id)
    expect(settled).toMatchObject({ status: 'paid' })
    expect(await shop.charges(order.id)).toBe(1)
  })

  it('fails an order whose job is gone once the grace period has passed', async () => {
    const order = await shop.placeOrder()
    await shop.queue.remove(order.id)
    const later = () => new Date(Date.now() + JOB_MISSING_GRACE_MS + 1000)
    await startWorker({ now: later })
    expect(await shop.settled(order.id)).toMatchObject({ status: 'failed', failureReason: 'job_missing' })
    expect(await shop.charges()).toBe(0)
  })
})
