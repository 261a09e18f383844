import { Redis, type RedisOptions } from 'ioredis'

export type RedisRole =
  /** Request-path commands (api writes, flag reads): fail fast while Redis is down, so callers answer 503. */
  | 'command'
  /** BullMQ workers and blocking connections: retry forever, as BullMQ requires. */
  | 'worker'
  /** Pub/sub subscribers: reconnect forever, never queue commands. */
  | 'subscriber'

/**
 * One place that knows how each kind of firedrill connection to Redis is configured.
 * Every connection reconnects with a capped backoff; what differs is how commands behave while it is down.
 */
export function createRedisConnection(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = {
    lazyConnect: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 1000),
  }
  const byRole: Record<RedisRole, RedisOptions> = {
    command: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
    worker: { maxRetriesPerRequest: null, enableOfflineQueue: true },
    subscriber: { maxRetriesPerRequest: null, enableOfflineQueue: true },
  }
  const redis = new Redis(url, { ...base, ...byRole[role], ...extra })
  // A connection error is reported through the caller's health checks, not as an unhandled 'error' event.
  redis.on('error', () => {})
  return redis
}

/** Waits until the connection is ready, or rejects after `timeoutMs`. */
export function waitForReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`))
    }, timeoutMs)
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    redis.once('ready', onReady)
  })
}

/**
 * Closes a connection: a polite QUIT when it is up (dropping it if that fails or takes longer than
 * `timeoutMs`, as it can when Redis has just died), else a disconnect. Never waits longer than `timeoutMs`.
 */
export async function closeConnection(redis: Redis | undefined, timeoutMs = 1000): Promise<void> {
  if (!redis) return
  if (redis.status !== 'ready') {
    redis.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs)
  })
  await Promise.race([
    redis.quit().then(
      () => {},
      () => {},
    ),
    gaveUp,
  ])
  clearTimeout(timer)
  if ((redis.status as string) !== 'end') redis.disconnect()
}

/**
 * True when `err` says Redis could not be reached (down, restarting, connection dropped, a command timed
 * out), as opposed to Redis answering with an error.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'MaxRetriesPerRequestError') return true
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Redis not ready|LOADING/.test(
    err.message,
  )
}
