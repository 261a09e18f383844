import { Queue } from 'bullmq'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { statusPageAt } from '../../services/payments/provider-status.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../services/platform/keys.ts'
import { closeConnection, createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import type { TraineeProvider } from './trainee-view-schema.ts'

/** How many queue samples the dashboards keep (one a second: the last minutes). */
const POINTS = 240

export interface ShopWatch {
  /** The provider's status page now, and since when it has said so. */
  provider(): TraineeProvider | null
  /** The fulfilment queue's depth (jobs waiting plus active) over the last minutes. */
  queue(): { t: number[]; depth: number[] }
  stop(): Promise<void>
}

/**
 * Reads what the shop under drill shares in Redis, once a second: the payment provider's status (its fault
 * mode, as every process that calls it reads it) and the fulfilment queue's depth (the lengths of BullMQ's wait
 * and active lists). Read-only: it writes no key (BullMQ's count script may), so the drill's cleanup leaves
 * nothing behind.
 */
export function startShopWatch(options: {
  redisUrl: string
  prefix: string
  /** @defaultValue 1000 */
  intervalMs?: number
  /** Told after each sample. */
  onSample?: () => void
}): ShopWatch {
  const redis = createRedisConnection(options.redisUrl, 'worker')
  const faults = new RedisFaultModeStore(redis, options.prefix)
  const queue = new Queue(FULFILMENT_QUEUE, {
    connection: redis,
    prefix: keyspace(options.prefix).bullPrefix,
  })
  // The lists BullMQ keeps a queue's waiting and active jobs in, read with LLEN: no script, nothing written.
  const queueCounts = async () => {
    const [waiting, active] = await Promise.all([
      redis.llen(queue.toKey('wait')),
      redis.llen(queue.toKey('active')),
    ])
    return { waiting, active }
  }
  const t: number[] = []
  const depth: number[] = []
  let provider: TraineeProvider | null = null
  let stopped = false
  const sample = async () => {
    try {
      const [mode, counts] = await Promise.all([faults.get(), queueCounts()])
      if (stopped) return
      provider = statusPageAt(provider, mode, new Date().toISOString())
      t.push(Date.now() / 1000)
      depth.push((counts.waiting ?? 0) + (counts.active ?? 0))
      if (t.length > POINTS) {
        t.shift()
        depth.shift()
      }
      options.onSample?.()
    } catch {
      // Redis away for a moment, or the shop not there yet: the next sample tries again.
    }
  }
  const timer = setInterval(() => void sample(), options.intervalMs ?? 1000)
  timer.unref()
  void sample()
  return {
    provider: () => provider,
    queue: () => ({ t: [...t], depth: [...depth] }),
    async stop() {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      await queue.close().catch(() => {})
      await closeConnection(redis)
    },
  }
}
