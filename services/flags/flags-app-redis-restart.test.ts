import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { startRestartableRedis } from '../../test/support/restartable-redis.ts'
import { LeaseHolder } from '../leases/index.ts'
import { createRedisConnection } from '../platform/redis/redis-connection.ts'
import { createFlagClient } from './create-flag-client.ts'
import { buildFlagsApp } from './flags-app.ts'
import { FlagsErrorCode } from './flags-errors.ts'
import { rolloutTargeting } from './rollout-targeting.ts'

const ORDERS = 'checkout.accepting-orders'
const PRICING = 'checkout.new-pricing'
const TOKEN = 'flags-restart-test-token'
const PREFIX = 'restart-test'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

function flip(app: FastifyInstance, key: string, payload: Record<string, unknown>) {
  return app.inject({
    method: 'PUT',
    url: `/flags/${key}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    payload,
  })
}

async function setUp() {
  const server = await startRestartableRedis()
  cleanups.push(() => server.close())
  const app = await buildFlagsApp({
    redisUrl: server.url,
    prefix: PREFIX,
    token: TOKEN,
    guardIntervalMs: 100,
  })
  cleanups.push(() => app.close())
  await app.ready()
  return { server, app }
}

describe('kill switch across a Redis restart', () => {
  it('answers 503 while Redis is down, never 404, and works again once it is back, with its definitions written back', async () => {
    const { server, app } = await setUp()
    expect((await flip(app, ORDERS, { defaultVariant: 'off', reason: 'pause orders' })).statusCode).toBe(200)

    await server.stop()
    const during = await flip(app, ORDERS, { defaultVariant: 'on', reason: 'resume orders' })
    expect(during.statusCode).toBe(503)
    expect(during.json()).toMatchObject({ code: FlagsErrorCode.FLAG_STORE_UNAVAILABLE })
    expect(during.json().message).toMatch(/Redis/)
    const listing = await app.inject({ url: '/flags' })
    expect(listing.statusCode).toBe(503)
    expect(listing.json()).toMatchObject({ code: FlagsErrorCode.FLAG_STORE_UNAVAILABLE })

    // Redis comes back empty (no persistence); the first flip finds the store whole again.
    await server.start()
    let after = await flip(app, PRICING, { defaultVariant: 'on', reason: 'kill switch test' })
    for (let i = 0; after.statusCode === 503 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await flip(app, PRICING, { defaultVariant: 'on', reason: 'kill switch test' })
    }
    expect(after.statusCode).toBe(200)

    const inventory = (await app.inject({ url: '/flags' })).json()
    // The kill switch keeps the value it had before the outage: written back from what the service served.
    expect(inventory.flags.find((f: { key: string }) => f.key === ORDERS).defaultVariant).toBe('off')
    const audit = (await app.inject({ url: '/flags/audit?limit=10' })).json().entries
    expect(
      audit.some(
        (e: { actor: string; reason: string }) =>
          e.actor === 'flags-service' && /came back empty/.test(e.reason),
      ),
    ).toBe(true)
  })

  it('writes a flag a drill held under its lease back at its safe value, since the lease was lost with the data', async () => {
    const { server, app } = await setUp()
    const redis = createRedisConnection(server.url, 'command')
    cleanups.push(async () => redis.disconnect())
    const lease = await LeaseHolder.acquire({ redis, prefix: PREFIX, holder: 'run-x' })
    await lease.guard('flag', PRICING, { defaultVariant: 'off', targeting: null })
    expect(
      (await flip(app, PRICING, { targeting: rolloutTargeting(25, 'on', 'off'), reason: 'canary' }))
        .statusCode,
    ).toBe(200)
    // Let the guardian see the leased change.
    await new Promise((resolve) => setTimeout(resolve, 300))

    await server.stop()
    await server.start()
    let inventory = await app.inject({ url: '/flags' })
    for (let i = 0; (inventory.statusCode !== 200 || inventory.json().flags.length === 0) && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      inventory = await app.inject({ url: '/flags' })
    }
    const pricing = inventory.json().flags.find((f: { key: string }) => f.key === PRICING)
    expect(pricing.summary).toBe('off')
    await lease.end(200).catch(() => {})
  })

  it('keeps evaluating the last known values while Redis is down', async () => {
    const { server, app } = await setUp()
    expect((await flip(app, ORDERS, { defaultVariant: 'off', reason: 'pause orders' })).statusCode).toBe(200)
    const client = await createFlagClient({ redisUrl: server.url, prefix: PREFIX, resyncIntervalMs: 100 })
    cleanups.push(() => client.close())
    expect(await client.isEnabled(ORDERS, 'c1', true)).toBe(false)
    await server.stop()
    await client.provider.sync()
    expect(client.provider.syncState).toBe('stale')
    expect(await client.isEnabled(ORDERS, 'c1', true)).toBe(false)
  })
})
