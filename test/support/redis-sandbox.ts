import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { inject } from 'vitest'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'

/** The suite's Redis URL, provided by the global setup. */
export function testRedisUrl(): string {
  return inject('redisUrl')
}

/** A fresh key prefix for one test, so tests never see each other's keys. */
export function testPrefix(): string {
  return `test-${randomUUID()}`
}

/** Deletes every key under a prefix (SCAN, never KEYS). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) await redis.unlink(...keys)
  } while (cursor !== '0')
}

/** A command connection plus a prefix, cleaned up by `close()`. */
export function redisSandbox() {
  const url = testRedisUrl()
  const prefix = testPrefix()
  const redis = createRedisConnection(url, 'worker')
  return {
    url,
    prefix,
    redis,
    async close() {
      await dropPrefix(redis, prefix)
      await redis.quit()
    },
  }
}

/** Every key matching a glob pattern (SCAN to the end, never KEYS). */
export async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    found.push(...keys)
  } while (cursor !== '0')
  return found
}
