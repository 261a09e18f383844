import { randomUUID } from 'node:crypto'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { LeaseHolder, leaseKeys } from '../leases/index.ts'
import { chargeCount } from './charge-ledger.ts'
import { registerPaymentsAccount } from './payments-accounts.ts'
import { PaymentsClient } from './payments-client.ts'
import { PaymentsErrorCode, ProviderRetryableError } from './payments-errors.ts'
import { installPaymentsProvider } from './payments-provider.ts'
import { CAPACITY_WINDOW_MS, PAYMENTS_CAPACITY_LEASE, RedisProviderCapacity } from './provider-capacity.ts'

const chargeFor = (orderId: string) => ({
  amountCents: 4200,
  currency: 'EUR',
  orderId,
  cardToken: 'tok_visa',
})

describe("the payment provider's capacity", () => {
  let shop: ReturnType<typeof redisSandbox>
  let unregister: () => void
  let client: PaymentsClient
  let capacity: RedisProviderCapacity

  /** Sends `n` charges one after the other; how many were served, and the refusals. */
  async function burst(n: number, tag: string) {
    const refused: ProviderRetryableError[] = []
    let served = 0
    for (let i = 0; i < n; i++) {
      const orderId = `${tag}-${i}`
      try {
        await client.charge(chargeFor(orderId), { idempotencyKey: orderId })
        served++
      } catch (err) {
        if (!(err instanceof ProviderRetryableError)) throw err
        refused.push(err)
      }
    }
    return { served, refused }
  }

  beforeAll(() => {
    installPaymentsProvider()
  })

  beforeEach(() => {
    shop = redisSandbox()
    const apiKey = `sk_test_${randomUUID()}`
    unregister = registerPaymentsAccount({ apiKey, redis: shop.redis, prefix: shop.prefix })
    client = new PaymentsClient({ apiKey })
    capacity = new RedisProviderCapacity(shop.redis, shop.prefix)
  })

  afterEach(async () => {
    unregister()
    await shop.close()
  })

  it('serves every charge when no capacity is set, as in every other scenario', async () => {
    expect(await capacity.get()).toBeUndefined()
    expect((await burst(30, 'free')).served).toBe(30)
  })

  it('refuses charges over the capacity with 429 and a Retry-After, counting the refused ones, until the caller holds back for a window', async () => {
    await capacity.set(10)
    const first = await burst(25, 'a')
    expect(first.served).toBe(10)
    expect(first.refused).toHaveLength(15)
    expect(first.refused[0]).toMatchObject({ status: 429, retryAfterMs: CAPACITY_WINDOW_MS })
    expect(await chargeCount(shop.redis, shop.prefix)).toBe(10)

    // A caller that keeps retrying at once stays refused: its refused attempts count against it too.
    expect((await burst(5, 'b')).served).toBe(0)

    // One that holds back for the window is served again.
    await new Promise((resolve) => setTimeout(resolve, CAPACITY_WINDOW_MS + 50))
    expect((await burst(3, 'c')).served).toBe(3)
  })

  it('drops a capacity set under a lease that has lapsed, so a dead drill leaves no limit behind', async () => {
    const lease = await LeaseHolder.acquire({ redis: shop.redis, prefix: shop.prefix, holder: randomUUID() })
    await lease.guard(PAYMENTS_CAPACITY_LEASE, '', null)
    await capacity.set(1)
    expect((await burst(3, 'held')).served).toBe(1)
    // The holder dies: its heartbeat stops and its lease lapses.
    lease.abandon()
    await shop.redis.del(leaseKeys(shop.prefix).lease(lease.holder))
    expect((await burst(3, 'lapsed')).served).toBe(3)
    expect(await capacity.get()).toBeUndefined()
  })

  it('refuses a capacity that is not a positive whole number, with a code', async () => {
    for (const bad of [0, -1, 2.5, Number.NaN])
      await expect(capacity.set(bad)).rejects.toMatchObject({ code: PaymentsErrorCode.CAPACITY_INVALID })
  })
})
