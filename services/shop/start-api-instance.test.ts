import { afterEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { createFlagStore } from '../flags/create-flag-store.ts'
import { loadFlagsFile } from '../flags/load-flags-file.ts'
import { type RunningApiInstance, startApiInstance } from './start-api-instance.ts'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** One sample's value from Prometheus text (unlabelled). */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  if (line === undefined) throw new Error(`no ${name} in the metrics`)
  return Number(line.slice(name.length + 1))
}

describe('an api instance', () => {
  it('says on /metrics which flag revision it serves and since when, on the clock a flip is sent by', async () => {
    const sandbox = redisSandbox()
    cleanups.push(() => sandbox.close())
    const store = createFlagStore({ redis: sandbox.redis, prefix: sandbox.prefix })
    await store.seedIfEmpty(await loadFlagsFile())
    const api: RunningApiInstance = await startApiInstance({
      redisUrl: sandbox.url,
      prefix: sandbox.prefix,
      flagsResyncIntervalMs: 600_000,
    })
    cleanups.push(() => api.close())
    const metrics = async () => (await fetch(`${api.url}/metrics`)).text()
    const first = await metrics()
    expect(sample(first, 'feature_flag_revision')).toBe(await store.revision())

    const clicked = performance.timeOrigin + performance.now()
    const { revision } = await store.setFlag(
      'checkout.accepting-orders',
      { defaultVariant: 'off' },
      'test',
      'test: the kill switch',
    )
    let text = await metrics()
    for (let i = 0; i < 100 && sample(text, 'feature_flag_revision') < revision; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      text = await metrics()
    }
    expect(sample(text, 'feature_flag_revision')).toBe(revision)
    const appliedAt = sample(text, 'feature_flag_revision_applied_timestamp_seconds') * 1000
    expect(appliedAt).toBeGreaterThan(clicked)
    expect(appliedAt).toBeLessThan(performance.timeOrigin + performance.now())
    // It serves what it says: an order is refused.
    const order = await fetch(`${api.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'c-1',
        items: [{ sku: 'SKU-1', qty: 1, unitPriceCents: 1000 }],
        currency: 'EUR',
      }),
    })
    expect(order.status).toBe(503)
  })
})
