import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { DECLINED_CARD_TOKEN } from './charge.ts'
import { chargeAttempts, chargeCount, listCharges } from './charge-ledger.ts'
import { RedisFaultModeStore } from './fault-mode-store.ts'
import { registerPaymentsAccount } from './payments-accounts.ts'
import { PaymentsClient } from './payments-client.ts'
import { PaymentsErrorCode } from './payments-errors.ts'
import { PAYMENTS_BASE_URL } from './payments-handlers.ts'
import { installPaymentsProvider } from './payments-provider.ts'

function chargeFor(orderId: string, cardToken = 'tok_visa') {
  return { amountCents: 4200, currency: 'EUR', orderId, cardToken }
}

describe('payments provider', () => {
  let shop: ReturnType<typeof redisSandbox>
  let apiKey: string
  let unregister: () => void
  let client: PaymentsClient

  beforeAll(() => {
    installPaymentsProvider()
  })

  beforeEach(() => {
    shop = redisSandbox()
    apiKey = `sk_test_${randomUUID()}`
    unregister = registerPaymentsAccount({ apiKey, redis: shop.redis, prefix: shop.prefix })
    client = new PaymentsClient({ apiKey })
  })

  afterEach(async () => {
    unregister()
    await shop.close()
  })

  it('records a charge once and serves it back', async () => {
    const { charge, replayed } = await client.charge(chargeFor('o-1'), { idempotencyKey: 'o-1' })
    expect(replayed).toBe(false)
    expect(charge).toMatchObject({ orderId: 'o-1', amountCents: 4200, currency: 'EUR', status: 'succeeded' })
    expect(await client.getCharge(charge.id)).toEqual(charge)
    expect(await client.getCharge('ch_missing')).toBeUndefined()
    expect(await chargeCount(shop.redis, shop.prefix, 'o-1')).toBe(1)
  })

  it('replays the first charge for a reused idempotency key instead of charging again', async () => {
    const first = await client.charge(chargeFor('o-2'), { idempotencyKey: 'o-2' })
    const again = await client.charge(chargeFor('o-2'), { idempotencyKey: 'o-2' })
    expect(again).toEqual({ outcome: 'charged', charge: first.charge, replayed: true })
    expect(await chargeCount(shop.redis, shop.prefix)).toBe(1)
    expect(await chargeAttempts(shop.redis, shop.prefix)).toBe(2)
  })

  it('makes one charge from concurrent requests with one idempotency key', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => client.charge(chargeFor('o-3'), { idempotencyKey: 'o-3' })),
    )
    expect(new Set(results.map((r) => r.charge.id)).size).toBe(1)
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(await chargeCount(shop.redis, shop.prefix, 'o-3')).toBe(1)
  })

  it('refuses to reuse an idempotency key for a different charge', async () => {
    await client.charge(chargeFor('o-4'), { idempotencyKey: 'k-4' })
    await expect(
      client.charge({ ...chargeFor('o-4'), amountCents: 1 }, { idempotencyKey: 'k-4' }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.REQUEST_REJECTED, status: 400 })
  })

  it('declines the declined test card and charges nothing', async () => {
    await expect(
      client.charge(chargeFor('o-5', DECLINED_CARD_TOKEN), { idempotencyKey: 'o-5' }),
    ).rejects.toMatchObject({ code: PaymentsErrorCode.CARD_DECLINED, declineCode: 'card_declined' })
    expect(await chargeCount(shop.redis, shop.prefix)).toBe(0)
    expect(await chargeAttempts(shop.redis, shop.prefix)).toBe(1)
  })

  it('answers 401 to an unknown api key', async () => {
    const stranger = new PaymentsClient({ apiKey: 'sk_test_nobody' })
    await expect(stranger.charge(chargeFor('o-6'), { idempotencyKey: 'o-6' })).rejects.toMatchObject({
      code: PaymentsErrorCode.REQUEST_REJECTED,
      status: 401,
    })
  })

  it('answers 400 to a charge without an Idempotency-Key', async () => {
    const response = await fetch(`${PAYMENTS_BASE_URL}/v1/charges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(chargeFor('o-7')),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { type: 'invalid_request_error', code: 'idempotency_key_missing' },
    })
    expect(await chargeAttempts(shop.redis, shop.prefix)).toBe(0)
  })

  it('keeps the charges of two shops in one process apart', async () => {
    const other = redisSandbox()
    const otherKey = `sk_test_${randomUUID()}`
    const off = registerPaymentsAccount({ apiKey: otherKey, redis: other.redis, prefix: other.prefix })
    try {
      await new PaymentsClient({ apiKey: otherKey }).charge(chargeFor('o-8'), { idempotencyKey: 'o-8' })
      await client.charge(chargeFor('o-8'), { idempotencyKey: 'o-8' })
      expect(await chargeCount(shop.redis, shop.prefix)).toBe(1)
      expect(await chargeCount(other.redis, other.prefix)).toBe(1)
      await expect(
        Promise.resolve().then(() =>
          registerPaymentsAccount({ apiKey, redis: other.redis, prefix: other.prefix }),
        ),
      ).rejects.toMatchObject({ code: PaymentsErrorCode.ACCOUNT_CONFLICT })
    } finally {
      off()
      await other.close()
    }
  })

  describe('charge lookup by idempotency key', () => {
    it('finds the charge a key made, and nothing for a key that charged nothing', async () => {
      const { charge } = await client.charge(chargeFor('o-20'), { idempotencyKey: 'o-20' })
      expect(await client.findChargeByIdempotencyKey('o-20')).toEqual(charge)
      expect(await client.findChargeByIdempotencyKey('o-never')).toBeUndefined()
      await expect(
        client.charge(chargeFor('o-21', DECLINED_CARD_TOKEN), { idempotencyKey: 'o-21' }),
      ).rejects.toThrow()
      expect(await client.findChargeByIdempotencyKey('o-21')).toBeUndefined()
    })

    it('finds a charge whose answer never reached the caller', async () => {
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'timeout-after-charge', ms: 2000 })
      const impatient = new PaymentsClient({ apiKey, timeoutMs: 100 })
      await expect(impatient.charge(chargeFor('o-22'), { idempotencyKey: 'o-22' })).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
      })
      const [recorded] = await listCharges(shop.redis, shop.prefix, { orderId: 'o-22' })
      expect(await client.findChargeByIdempotencyKey('o-22')).toEqual(recorded)
    })

    it('cannot say during an outage: the caller must not read that as "not charged"', async () => {
      await client.charge(chargeFor('o-23'), { idempotencyKey: 'o-23' })
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'outage' })
      await expect(client.findChargeByIdempotencyKey('o-23')).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
        status: 503,
      })
    })

    it('records nothing for a caller that gave up before the charge was recorded', async () => {
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'latency', ms: 600 })
      const impatient = new PaymentsClient({ apiKey, timeoutMs: 100 })
      await expect(impatient.charge(chargeFor('o-24'), { idempotencyKey: 'o-24' })).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
        status: undefined,
      })
      // The lookup waits out the same latency and started later, so it is answered after the abandoned
      // request has passed the point where it would have recorded its charge.
      expect(await client.findChargeByIdempotencyKey('o-24')).toBeUndefined()
      expect(await chargeCount(shop.redis, shop.prefix)).toBe(0)
    })
  })

  describe('fault modes', () => {
    it('outage: 503 on every request, nothing charged', async () => {
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'outage' })
      await expect(client.charge(chargeFor('o-9'), { idempotencyKey: 'o-9' })).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
        status: 503,
      })
      expect(await chargeCount(shop.redis, shop.prefix)).toBe(0)
    })

    it('error-rate: the given share of attempts answer 500 and charge nothing', async () => {
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'error-rate', percent: 50 })
      const outcomes = []
      for (let i = 0; i < 6; i++) {
        outcomes.push(
          await client.charge(chargeFor(`o-10-${i}`), { idempotencyKey: `o-10-${i}` }).then(
            () => 'ok',
            (err: { status?: number }) => err.status,
          ),
        )
      }
      expect(outcomes).toEqual([500, 'ok', 500, 'ok', 500, 'ok'])
      expect(await chargeCount(shop.redis, shop.prefix)).toBe(3)
    })

    it('rate-limit: 429 with Retry-After, read by the client as milliseconds', async () => {
      await new RedisFaultModeStore(shop.redis, shop.prefix).set({ mode: 'rate-limit', retryAfterSeconds: 2 })
      await expect(client.charge(chargeFor('o-11'), { idempotencyKey: 'o-11' })).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
        status: 429,
        retryAfterMs: 2000,
      })
      expect(await chargeCount(shop.redis, shop.prefix)).toBe(0)
    })

    it('timeout-after-charge: the caller gives up after being charged, and the retry replays that charge', async () => {
      const faults = new RedisFaultModeStore(shop.redis, shop.prefix)
      await faults.set({ mode: 'timeout-after-charge', ms: 2000 })
      const impatient = new PaymentsClient({ apiKey, timeoutMs: 100 })
      await expect(impatient.charge(chargeFor('o-12'), { idempotencyKey: 'o-12' })).rejects.toMatchObject({
        code: PaymentsErrorCode.PROVIDER_RETRYABLE,
        status: undefined,
      })
      await faults.clear()
      const retried = await client.charge(chargeFor('o-12'), { idempotencyKey: 'o-12' })
      expect(retried.replayed).toBe(true)
      expect(await listCharges(shop.redis, shop.prefix, { orderId: 'o-12' })).toEqual([retried.charge])
    })
  })

  describe('network isolation', () => {
    let local: Server

    beforeAll(async () => {
      local = createServer((_req, res) => res.end('shop'))
      await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve))
    })

    afterAll(async () => {
      await new Promise((resolve) => local.close(resolve))
    })

    it('lets loopback traffic through untouched', async () => {
      const { port } = local.address() as AddressInfo
      const response = await fetch(`http://127.0.0.1:${port}/`)
      expect(await response.text()).toBe('shop')
    })

    it('fails any other unhandled host instead of reaching the network', async () => {
      await expect(fetch('https://example.org/')).rejects.toThrow()
      await expect(fetch(`${PAYMENTS_BASE_URL}/v1/refunds`, { method: 'POST' })).rejects.toThrow()
    })
  })
})
