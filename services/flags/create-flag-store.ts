import type { Redis } from 'ioredis'
import { DEFAULT_PREFIX } from '../platform/keys.ts'
import { createRedisConnection } from '../platform/redis/redis-connection.ts'
import type { FlagStore } from './flag-store.ts'
import { RedisFlagStore, type RedisFlagStoreOptions } from './redis-flag-store.ts'

export interface CreateFlagStoreOptions extends Omit<RedisFlagStoreOptions, 'ownsConnection'> {
  /** A redis:// URL (the store opens a fail-fast command connection and closes it) or a connection to borrow. */
  redis: string | Redis
  /** @defaultValue 'firedrill' */
  prefix?: string
}

/** The flag store the shop uses: Redis, on a connection of its own or a borrowed one. */
export function createFlagStore(options: CreateFlagStoreOptions): FlagStore {
  const { redis, prefix = DEFAULT_PREFIX, ...rest } = options
  if (typeof redis === 'string')
    return new RedisFlagStore(createRedisConnection(redis, 'command'), prefix, {
      ...rest,
      ownsConnection: true,
    })
  return new RedisFlagStore(redis, prefix, { ...rest, ownsConnection: false })
}
