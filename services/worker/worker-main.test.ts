import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, type TestShop, testShop } from '../../test/support/test-shop.ts'
import { spawnWorkerProcess } from './worker-process.ts'

describe('worker process', () => {
  let shop: TestShop

  beforeEach(() => {
    shop = testShop()
  })

  afterEach(async () => {
    await shop.close()
  })

  it('finishes the job in hand on SIGTERM, then exits 0', async () => {
    const worker = await spawnWorkerProcess({
      REDIS_URL: shop.url,
      FIREDRILL_PREFIX: shop.prefix,
      FIREDRILL_PAYMENTS_API_KEY: shop.apiKey,
    })
    await shop.faults.set({ mode: 'latency', ms: 300 })
    const order = await shop.placeOrder()
    await eventually('the charge to be in flight', async () =>
      (await shop.attempts()) >= 1 ? true : undefined,
    )
    worker.child.kill('SIGTERM')
    expect(await worker.exited).toBe(0)
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'paid' })
    expect(await shop.charges(order.id)).toBe(1)
  })

  it('refuses a bad environment variable with exit code 2, naming it', async () => {
    const failure = await spawnWorkerProcess({
      REDIS_URL: shop.url,
      FIREDRILL_WORKER_CONCURRENCY: 'lots',
    }).then(
      () => undefined,
      (err: Error) => err.message,
    )
    expect(failure).toMatch(/exited \(2\)/)
    expect(failure).toContain('FIREDRILL_WORKER_CONCURRENCY')
  })
})
