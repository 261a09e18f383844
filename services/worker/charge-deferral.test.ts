import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, metricValue, type TestShop, testShop } from '../../test/support/test-shop.ts'
import { createFlagStore } from '../flags/create-flag-store.ts'
import type { FlagStore } from '../flags/flag-store.ts'
import { loadFlagsFile } from '../flags/load-flags-file.ts'
import { DEFER_CHARGES_FLAG } from './charge-deferral.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from './start-fulfilment-worker.ts'

describe('degrade switch (payments.defer-charges)', () => {
  let shop: TestShop
  let flags: FlagStore
  let handle: FulfilmentWorker | undefined

  beforeEach(async () => {
    shop = testShop()
    flags = createFlagStore({ redis: shop.url, prefix: shop.prefix })
    await flags.seedIfEmpty(await loadFlagsFile())
  })

  /** The worker starts after the switch is set, so its first order already reads it. */
  const startWorker = async () => {
    handle = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      reconcileIntervalMs: 200,
      deferRecheckMs: 200,
      flagsResyncIntervalMs: 200,
    })
    return handle
  }

  afterEach(async () => {
    await handle?.close()
    handle = undefined
    await flags.close()
    await shop.close()
  })

  const switchTo = async (on: boolean) => {
    await flags.setFlag(DEFER_CHARGES_FLAG, { defaultVariant: on ? 'on' : 'off' }, 'test', 'test: degrade')
  }
  const settlement = (outcome: string) =>
    metricValue(handle!.registry, 'fulfilment_order_settlement_seconds_count', { outcome })

  it('while on, accepts the order with its charge deferred and never calls the provider', async () => {
    await switchTo(true)
    await shop.faults.set({ mode: 'outage' })
    const worker = await startWorker()
    const order = await shop.placeOrder()
    await eventually('the order deferred', async () =>
      (await settlement('deferred')) >= 1 ? true : undefined,
    )
    const job = await shop.queue.getJob(order.id)
    expect(job?.data.deferredAt).toEqual(expect.any(String))
    expect(await job?.getState()).toBe('delayed')
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'pending' })
    expect(await shop.attempts()).toBe(0)
    // Looked at again while still on: deferred again, observed once.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(await settlement('deferred')).toBe(1)
    expect(await worker.reconciler.sweep()).toBe(0)
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'pending' })
  })

  it('once off again, charges each deferred order once, counted apart from the settlements', async () => {
    await switchTo(true)
    const worker = await startWorker()
    const orders = [await shop.placeOrder(), await shop.placeOrder()]
    await eventually('both orders deferred', async () =>
      (await settlement('deferred')) >= 2 ? true : undefined,
    )
    await switchTo(false)
    for (const order of orders) {
      expect(await shop.settled(order.id)).toMatchObject({ status: 'paid' })
      expect(await shop.charges(order.id)).toBe(1)
    }
    await eventually('the deferred charges counted', async () =>
      (await metricValue(worker.registry, 'fulfilment_deferred_charges_total', { outcome: 'paid' })) === 2
        ? true
        : undefined,
    )
    expect(await settlement('paid')).toBe(0)
    expect(await settlement('deferred')).toBe(2)
  })

  it('while off, charges as before', async () => {
    await startWorker()
    const order = await shop.placeOrder()
    expect(await shop.settled(order.id)).toMatchObject({ status: 'paid' })
    // The worker counts the settlement just after it stores the order paid.
    await eventually('the settlement counted', async () =>
      (await settlement('paid')) === 1 ? true : undefined,
    )
    expect(await settlement('deferred')).toBe(0)
  })
})
