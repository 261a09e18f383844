import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, type TestShop, testShop } from '../../test/support/test-shop.ts'
import { listCharges } from '../payments/charge-ledger.ts'
import type { FaultMode } from '../payments/fault-mode.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from './start-fulfilment-worker.ts'
import { spawnWorkerProcess, type WorkerProcess } from './worker-process.ts'

const FAST_STALL = { stalledIntervalMs: 500, lockDurationMs: 1000 }

describe('a worker killed mid-job', () => {
  let shop: TestShop
  let doomed: WorkerProcess | undefined
  let survivor: FulfilmentWorker | undefined

  beforeEach(async () => {
    shop = testShop()
    doomed = await spawnWorkerProcess({
      REDIS_URL: shop.url,
      FIREDRILL_PREFIX: shop.prefix,
      FIREDRILL_PAYMENTS_API_KEY: shop.apiKey,
      FIREDRILL_WORKER_STALLED_INTERVAL_MS: String(FAST_STALL.stalledIntervalMs),
      FIREDRILL_WORKER_LOCK_DURATION_MS: String(FAST_STALL.lockDurationMs),
    })
  })

  afterEach(async () => {
    if (doomed !== undefined && doomed.child.exitCode === null && doomed.child.signalCode === null) {
      doomed.child.kill('SIGKILL')
      await doomed.exited
    }
    await survivor?.close()
    survivor = undefined
    await shop.close()
  })

  /**
   * Places an order, kills the worker while its charge is in flight under `fault` (once `inFlight` holds),
   * and lets another worker take over.
   */
  async function killMidCharge(fault: FaultMode, inFlight: (orderId: string) => Promise<boolean>) {
    await shop.faults.set(fault)
    const order = await shop.placeOrder()
    await eventually('the charge to be in flight', async () => {
      const state = await shop.queue.getJobState(order.id)
      return state === 'active' && (await inFlight(order.id)) ? true : undefined
    })
    doomed?.child.kill('SIGKILL')
    expect(await doomed?.exited).toBe('SIGKILL')
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'pending' })
    const chargedBeforeTakeover = await shop.charges(order.id)
    await shop.faults.clear()
    survivor = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      ...FAST_STALL,
    })
    const paid = await shop.settled(order.id)
    return { order, paid, chargedBeforeTakeover }
  }

  it('leaves no double charge when it dies before the provider charged', async () => {
    const { order, paid, chargedBeforeTakeover } = await killMidCharge(
      { mode: 'latency', ms: 30_000 },
      async () => (await shop.attempts()) >= 1,
    )
    expect(chargedBeforeTakeover).toBe(0)
    expect(paid.status).toBe('paid')
    expect(await shop.charges(order.id)).toBe(1)
  })

  it('leaves no double charge when it dies after the provider charged', async () => {
    const { order, paid, chargedBeforeTakeover } = await killMidCharge(
      { mode: 'timeout-after-charge', ms: 30_000 },
      async (orderId) => (await shop.charges(orderId)) >= 1,
    )
    // The dead worker's charge went through; the new worker's retry must replay it, not charge again.
    expect(chargedBeforeTakeover).toBe(1)
    const charges = await listCharges(shop.redis, shop.prefix, { orderId: order.id })
    expect(charges).toHaveLength(1)
    expect(paid).toMatchObject({ status: 'paid', chargeId: charges[0]?.id })
  })
})
