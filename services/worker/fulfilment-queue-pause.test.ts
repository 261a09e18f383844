import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, metricValue, type TestShop, testShop } from '../../test/support/test-shop.ts'
import { LeaseHolder, readLeasedChanges } from '../leases/index.ts'
import { createRedisConnection } from '../platform/redis/redis-connection.ts'
import { FULFILMENT_QUEUE_PAUSE_LEASE } from './fulfilment-queue-pause.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from './start-fulfilment-worker.ts'

/** The killed holder's lease TTL: short, so the test is quick; the drill's own is 5 s. */
const TTL_MS = 1000

describe('a paused fulfilment queue under a lease', () => {
  let shop: TestShop
  let worker: FulfilmentWorker | undefined
  let child: ChildProcess | undefined
  const extra: Array<() => Promise<unknown>> = []

  afterEach(async () => {
    child?.kill('SIGKILL')
    for (const cleanup of extra.splice(0).reverse()) await cleanup().catch(() => {})
    await worker?.close()
    worker = undefined
    await shop.close()
  })

  const startWorker = async () => {
    worker = await startFulfilmentWorker({
      redisUrl: shop.url,
      prefix: shop.prefix,
      apiKey: shop.apiKey,
      reconcileIntervalMs: 200,
      leaseCheckIntervalMs: 100,
    })
    return worker
  }

  it('holds orders while the lease lives: the workers take no job and nothing is charged', async () => {
    shop = testShop()
    const redis = createRedisConnection(shop.url, 'command')
    extra.push(async () => redis.quit())
    const lease = await LeaseHolder.acquire({ redis, prefix: shop.prefix, holder: randomUUID(), ttlMs: 5000 })
    extra.push(() => lease.end())
    await lease.guard(FULFILMENT_QUEUE_PAUSE_LEASE, 'fulfilment', null)
    await shop.queue.pause()
    const running = await startWorker()
    const order = await shop.placeOrder()
    // Five lease checks and more: a lease that lives keeps the pause.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(await shop.queue.isPaused()).toBe(true)
    expect(await shop.queue.getJobState(order.id)).toBe('waiting')
    expect(await shop.orders.get(order.id)).toMatchObject({ status: 'pending' })
    expect(await metricValue(running.registry, 'fulfilment_jobs_completed_total')).toBe(0)
    expect(await shop.attempts()).toBe(0)

    // Resumed: the held order is charged.
    await shop.queue.resume()
    await eventually('the held order paid', async () =>
      (await shop.orders.get(order.id))?.status === 'paid' ? true : undefined,
    )
  })

  it('a holder killed with SIGKILL while the queue is paused: a worker resumes it within the TTL + 1 s, and the held orders are paid', async () => {
    shop = testShop()
    await startWorker()
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'testing', 'queue-pause-lease-holder.ts'),
        shop.url,
        shop.prefix,
        `run-${randomUUID()}`,
        String(TTL_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const [line] = (await Promise.race([
      once(child.stdout!, 'data'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the lease holder exited with ${code} before it was ready`)
      }),
    ])) as [Buffer]
    expect(line.toString()).toMatch(/ready/)
    expect(await shop.queue.isPaused()).toBe(true)
    const held = await shop.placeOrder()

    const killedAt = Date.now()
    child.kill('SIGKILL')
    await once(child, 'exit')
    await eventually(
      'the queue resumed',
      async () => ((await shop.queue.isPaused()) ? undefined : true),
      TTL_MS + 5000,
    )
    const resumedAfter = Date.now() - killedAt
    expect(resumedAfter).toBeLessThan(TTL_MS + 1000)
    expect(await readLeasedChanges(shop.redis, shop.prefix)).toEqual([])
    await eventually('the held order paid', async () =>
      (await shop.orders.get(held.id))?.status === 'paid' ? true : undefined,
    )
  })
})
