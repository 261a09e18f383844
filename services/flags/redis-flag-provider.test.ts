import { ErrorCode, OpenFeature, ProviderEvents } from '@openfeature/server-sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { dropPrefix, redisSandbox } from '../../test/support/redis-sandbox.ts'
import { provisionRedis } from '../platform/redis/redis-provisioner.ts'
import { createFlagClient, type FlagClient } from './create-flag-client.ts'
import { createFlagStore } from './create-flag-store.ts'
import { buildFlagsApp } from './flags-app.ts'
import { FlagsErrorCode } from './flags-errors.ts'
import { FlagsHttpClient } from './flags-http-client.ts'
import { flagKeys } from './flags-keys.ts'
import { loadFlagsFile } from './load-flags-file.ts'
import { RedisFlagProvider } from './redis-flag-provider.ts'
import { rolloutTargeting } from './rollout-targeting.ts'
import { nextProviderEvent } from './testing/next-provider-event.ts'

const PRICING = 'checkout.new-pricing'
const TOKEN = 'test-token-for-flag-flips'
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function seededSandbox() {
  const sandbox = redisSandbox()
  const store = createFlagStore({ redis: sandbox.redis, prefix: sandbox.prefix })
  await store.seedIfEmpty(await loadFlagsFile())
  cleanups.push(() => sandbox.close())
  return { ...sandbox, store }
}

async function flagClients(
  count: number,
  options: { url: string; prefix: string; listen?: boolean; resyncIntervalMs: number },
) {
  const clients: FlagClient[] = await Promise.all(
    Array.from({ length: count }, () =>
      createFlagClient({
        redisUrl: options.url,
        prefix: options.prefix,
        resyncIntervalMs: options.resyncIntervalMs,
        ...(options.listen === undefined ? {} : { listen: options.listen }),
      }),
    ),
  )
  cleanups.push(() => Promise.all(clients.map((c) => c.close())))
  return clients
}

describe('flag flip', () => {
  it('reaches every api instance through the changes channel, each announcing what changed', async () => {
    const { url, prefix } = await seededSandbox()
    const app = await buildFlagsApp({ redisUrl: url, prefix, token: TOKEN })
    cleanups.push(() => app.close())
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    // A resync far away: only the channel can deliver this flip in time.
    const clients = await flagClients(3, { url, prefix, resyncIntervalMs: 600_000 })
    for (const { client } of clients)
      expect(await client.getBooleanValue(PRICING, true, { targetingKey: 'c-1' })).toBe(false)

    const announced = clients.map(({ client }) =>
      nextProviderEvent(client, ProviderEvents.ConfigurationChanged),
    )
    const http = new FlagsHttpClient({ baseUrl, token: TOKEN, actor: 'drill' })
    const { revision } = await http.set(PRICING, { defaultVariant: 'on' }, 'drill: release the new pricing')

    for (const details of await Promise.all(announced)) expect(details?.flagsChanged).toEqual([PRICING])
    await Promise.all(clients.map(({ provider }) => provider.waitForRevision(revision)))
    for (const { client, provider } of clients) {
      expect(provider.revision).toBe(revision)
      expect(await client.getBooleanDetails(PRICING, false, { targetingKey: 'c-1' })).toMatchObject({
        value: true,
        variant: 'on',
        reason: 'STATIC',
      })
    }
  })

  it("applies a one-flag change from its message alone, without reading Redis back, and only as the copy's next revision", async () => {
    const { url, prefix, redis, store } = await seededSandbox()
    // A resync far away: what a client serves here came from the channel alone.
    const [{ client, provider }] = (await flagClients(1, { url, prefix, resyncIntervalMs: 600_000 })) as [
      FlagClient,
    ]
    const revision = provider.revision
    const current = (await store.get(PRICING))!
    const on = { ...current, defaultVariant: 'on' }
    const channel = flagKeys(prefix).changes
    const announce = (at: number) =>
      redis.publish(
        channel,
        JSON.stringify({ revision: at, flagsChanged: [PRICING], definitions: { [PRICING]: on } }),
      )

    // A gap (the message two revisions on): not applied; the reload it triggers finds Redis unchanged.
    await announce(revision + 2)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(provider.revision).toBe(revision)
    expect(await client.getBooleanValue(PRICING, false, { targetingKey: 'c-1' })).toBe(false)

    // The next revision: served from the message, though Redis still holds the flag off at the old revision.
    const before = provider.served.appliedAt
    await announce(revision + 1)
    await provider.waitForRevision(revision + 1, 2000)
    expect(await client.getBooleanValue(PRICING, false, { targetingKey: 'c-1' })).toBe(true)
    expect(provider.served.appliedAt).toBeGreaterThan(before)
    expect(await store.revision()).toBe(revision)

    // The next resync finds Redis at another revision and takes its copy: the store stays the truth.
    await provider.sync()
    expect(provider.revision).toBe(revision)
    expect(await client.getBooleanValue(PRICING, true, { targetingKey: 'c-1' })).toBe(false)
  })

  it('still arrives by the periodic resync when the channel is switched off', async () => {
    const { url, prefix, store } = await seededSandbox()
    const clients = await flagClients(3, { url, prefix, listen: false, resyncIntervalMs: 50 })
    const announced = clients.map(({ provider }) =>
      nextProviderEvent(provider.events, ProviderEvents.ConfigurationChanged),
    )
    const { revision } = await store.setFlag(PRICING, { defaultVariant: 'on' }, 'drill', 'release')
    for (const details of await Promise.all(announced)) expect(details?.flagsChanged).toEqual([PRICING])
    for (const { provider, isEnabled } of clients) {
      expect(provider.revision).toBe(revision)
      expect(await isEnabled(PRICING, 'c-1', false)).toBe(true)
    }
  })

  it('splits a 5% → 50% → 100% rollout by targeting key, the same way in every instance', async () => {
    const { url, prefix, store } = await seededSandbox()
    const clients = await flagClients(2, { url, prefix, resyncIntervalMs: 600_000 })
    const customers = Array.from({ length: 1000 }, (_, i) => `customer-${i}`)
    let previous = new Set<string>()
    for (const [percent, low, high] of [
      [5, 0.03, 0.07],
      [50, 0.46, 0.54],
      [100, 1, 1],
    ] as const) {
      const { revision } = await store.setFlag(
        PRICING,
        { targeting: rolloutTargeting(percent) },
        'drill',
        `${percent}%`,
      )
      const onPerInstance = await Promise.all(
        clients.map(async ({ client, provider }) => {
          await provider.waitForRevision(revision)
          const on = new Set<string>()
          for (const key of customers)
            if (await client.getBooleanValue(PRICING, false, { targetingKey: key })) on.add(key)
          return on
        }),
      )
      const [on, other] = onPerInstance as [Set<string>, Set<string>]
      expect(on.size / customers.length).toBeGreaterThanOrEqual(low)
      expect(on.size / customers.length).toBeLessThanOrEqual(high)
      expect(other).toEqual(on)
      for (const key of previous) expect(on.has(key)).toBe(true)
      previous = on
    }
  })
})

describe('flag evaluation', () => {
  it('serves the last known value, never throwing, while Redis is gone', async () => {
    const redis = await provisionRedis({ env: {}, probeLocal: false })
    cleanups.push(() => redis.stop())
    const store = createFlagStore({ redis: redis.url, prefix: 'drill' })
    await store.seedIfEmpty(await loadFlagsFile())
    await store.setFlag(PRICING, { defaultVariant: 'on' }, 'drill', 'release')
    await store.close()
    const { client, provider } = (
      await flagClients(1, { url: redis.url, prefix: 'drill', resyncIntervalMs: 600_000 })
    )[0]!

    const stale = nextProviderEvent(client, ProviderEvents.Stale)
    await redis.stop()
    expect(await provider.sync()).toBe(false)
    await stale
    expect(provider.syncState).toBe('stale')
    expect(await client.getBooleanDetails(PRICING, false, { targetingKey: 'c-1' })).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'STALE',
    })
    expect(await client.getBooleanDetails('checkout.unknown', true, { targetingKey: 'c-1' })).toMatchObject({
      value: true,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    })
  })

  it('keeps the last known flags when the store turns up empty, and takes a re-seeded store', async () => {
    const { url, prefix, redis, store } = await seededSandbox()
    await store.setFlag(PRICING, { defaultVariant: 'on' }, 'drill', 'release')
    const { provider, isEnabled } = (await flagClients(1, { url, prefix, resyncIntervalMs: 600_000 }))[0]!
    expect(provider.revision).toBe(2)

    await dropPrefix(redis, prefix)
    expect(await provider.sync()).toBe(false)
    expect(await isEnabled(PRICING, 'c-1', false)).toBe(true)

    // Seeded again, the store starts over at revision 1: different, so it is taken, though lower.
    const ready = nextProviderEvent(provider.events, ProviderEvents.Ready)
    await store.seedIfEmpty(await loadFlagsFile())
    await ready
    expect(provider.revision).toBe(1)
    expect(await isEnabled(PRICING, 'c-1', true)).toBe(false)
  })

  it("returns the caller's safe default before the first sync", async () => {
    const provider = new RedisFlagProvider({ redis: 'redis://127.0.0.1:1', initTimeoutMs: 200 })
    cleanups.push(() => provider.onClose())
    expect(await provider.resolveBooleanEvaluation(PRICING, true, { targetingKey: 'c-1' })).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.PROVIDER_NOT_READY,
    })
    await expect(provider.initialize()).rejects.toMatchObject({ code: FlagsErrorCode.FLAGS_SYNC_FAILED })
    expect(await provider.resolveStringEvaluation('any.flag', 'safe', {})).toMatchObject({ value: 'safe' })
    expect(provider.evaluate(PRICING, {})).toMatchObject({ errorCode: ErrorCode.PROVIDER_NOT_READY })
  })

  it("returns the caller's safe default through OpenFeature while its provider is not ready", async () => {
    const provider = new RedisFlagProvider({ redis: 'redis://127.0.0.1:1', initTimeoutMs: 200 })
    const domain = `not-ready-${Date.now()}`
    // The SDK logs the failed initialization to the console by default; this test expects it.
    OpenFeature.setLogger({ error: () => {}, warn: () => {}, info: () => {}, debug: () => {} })
    OpenFeature.setProvider(domain, provider)
    cleanups.push(() => OpenFeature.clearProviders())
    const details = await OpenFeature.getClient(domain).getBooleanDetails(PRICING, true, {
      targetingKey: 'c-1',
    })
    expect(details).toMatchObject({ value: true, reason: 'ERROR' })
  })

  it('refuses to create a client whose Redis never answers', async () => {
    await expect(
      createFlagClient({ redisUrl: 'redis://127.0.0.1:1', initTimeoutMs: 200, resyncIntervalMs: 50 }),
    ).rejects.toMatchObject({ code: FlagsErrorCode.FLAGS_SYNC_FAILED })
  })

  it('answers an unknown flag with FLAG_NOT_FOUND and the default', async () => {
    const { url, prefix } = await seededSandbox()
    const { client } = (await flagClients(1, { url, prefix, resyncIntervalMs: 600_000 }))[0]!
    expect(await client.getStringDetails('checkout.nope', 'fallback')).toMatchObject({
      value: 'fallback',
      reason: 'ERROR',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    })
  })
})
