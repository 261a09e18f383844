import type { Redis } from 'ioredis'
import { keyspace } from '../platform/keys.ts'
import { type FaultMode, NO_FAULT, parseFaultMode } from './fault-mode.ts'

/** Where the provider's fault mode lives; one `set` changes it for every process that shares the store. */
export interface FaultModeStore {
  get(): Promise<FaultMode>
  set(mode: FaultMode): Promise<void>
  clear(): Promise<void>
}

/** The fault mode as one JSON value in Redis (`keyspace(prefix).paymentsFault`), read on every request. */
export class RedisFaultModeStore implements FaultModeStore {
  readonly #redis: Redis
  readonly #key: string

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#key = keyspace(prefix).paymentsFault
  }

  async get(): Promise<FaultMode> {
    const raw = await this.#redis.get(this.#key)
    if (raw === null) return NO_FAULT
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      value = raw
    }
    return parseFaultMode(value, `Redis key ${this.#key}`)
  }

  async set(mode: FaultMode): Promise<void> {
    const valid = parseFaultMode(mode, 'FaultModeStore.set')
    await this.#redis.set(this.#key, JSON.stringify(valid))
  }

  async clear(): Promise<void> {
    await this.#redis.del(this.#key)
  }
}
