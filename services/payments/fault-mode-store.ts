import type { Redis } from 'ioredis'
import { leaseKeys } from '../leases/index.ts'
import { keyspace } from '../platform/keys.ts'
import { type FaultMode, NO_FAULT, parseFaultMode } from './fault-mode.ts'

/** Where the provider's fault mode lives; one `set` changes it for every process that shares the store. */
export interface FaultModeStore {
  get(): Promise<FaultMode>
  set(mode: FaultMode): Promise<void>
  clear(): Promise<void>
}

/** The lease kind a drill registers a payment fault under (see services/leases). */
export const PAYMENTS_FAULT_LEASE = 'payments-fault'

/**
 * The fault, unless it was set under a lease that has lapsed: then it is cleared (and its lease entry dropped)
 * in the same step, so a fault a dead drill left on is never served, whoever reads it first.
 */
const GET_FAULT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local entry = redis.call('HGET', KEYS[2], ARGV[1])
if entry then
  local ok, change = pcall(cjson.decode, entry)
  if ok and type(change) == 'table' and type(change.holder) == 'string'
    and redis.call('EXISTS', ARGV[2] .. change.holder) == 0 then
    redis.call('DEL', KEYS[1])
    redis.call('HDEL', KEYS[2], ARGV[1])
    return false
  end
end
return raw
`

/**
 * The fault mode as one JSON value in Redis (`keyspace(prefix).paymentsFault`), read on every request. A fault a
 * drill set under a lease reads as no fault once that lease lapses.
 */
export class RedisFaultModeStore implements FaultModeStore {
  readonly #redis: Redis
  readonly #key: string
  readonly #leases: ReturnType<typeof leaseKeys>

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#key = keyspace(prefix).paymentsFault
    this.#leases = leaseKeys(prefix)
  }

  async get(): Promise<FaultMode> {
    const raw = (await this.#redis.eval(
      GET_FAULT,
      2,
      this.#key,
      this.#leases.changes,
      PAYMENTS_FAULT_LEASE,
      this.#leases.holderPrefix,
    )) as string | null
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
