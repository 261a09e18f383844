import { Queue } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../services/platform/keys.ts'
import { keysMatching, redisSandbox } from '../../test/support/redis-sandbox.ts'
import { startShopWatch } from './shop-watch.ts'

const sandboxes: ReturnType<typeof redisSandbox>[] = []
afterEach(async () => {
  for (const s of sandboxes.splice(0)) await s.close()
})

describe("the console's watch on the shop", () => {
  it("shows the provider's status page as the shop's fault mode has it, and the queue's depth, writing nothing", async () => {
    const sandbox = redisSandbox()
    sandboxes.push(sandbox)
    await new RedisFaultModeStore(sandbox.redis, sandbox.prefix).set({ mode: 'outage' })
    const queue = new Queue(FULFILMENT_QUEUE, {
      connection: sandbox.redis,
      prefix: keyspace(sandbox.prefix).bullPrefix,
    })
    await queue.addBulk([1, 2, 3].map((i) => ({ name: 'fulfil', data: { orderId: `o-${i}` } })))
    await queue.close()
    const before = (await keysMatching(sandbox.redis, `${sandbox.prefix}:*`)).sort()

    const watch = startShopWatch({ redisUrl: sandbox.url, prefix: sandbox.prefix, intervalMs: 50 })
    try {
      await expect.poll(() => watch.queue().depth.at(-1)).toBe(3)
      expect(watch.provider()).toMatchObject({ status: 'major-outage' })
      await new RedisFaultModeStore(sandbox.redis, sandbox.prefix).clear()
      await expect.poll(() => watch.provider()?.status).toBe('operational')
    } finally {
      await watch.stop()
    }
    expect((await keysMatching(sandbox.redis, `${sandbox.prefix}:*`)).sort()).toEqual(
      before.filter((k) => !k.endsWith(':payments:fault')),
    )
  })
})
