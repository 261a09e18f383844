import type { Redis } from 'ioredis'
import { leaseKeys } from '../leases/index.ts'
import { keyspace } from '../platform/keys.ts'
import { ProviderCapacityInvalidError } from './payments-errors.ts'

/** The lease kind a drill registers the provider's capacity under (see services/leases). */
export const PAYMENTS_CAPACITY_LEASE = 'payments-capacity'

/** How long the provider looks back when it counts a caller's charge attempts. */
export const CAPACITY_WINDOW_MS = 1000

/**
 * Counts one charge attempt against the account's capacity and says whether it is served. Every attempt that
 * reaches the provider counts, served or refused, over the last second of the server's clock (a sliding window,
 * so it holds across every process that calls the provider): a caller that keeps sending more than the capacity
 * stays refused until it slows down. No capacity set, or one set under a lease that has lapsed (then cleared in
 * the same step), means no limit.
 * KEYS: capacity, recent attempts, lease changes. ARGV: attempt id, window ms, lease kind, lease holder prefix.
 * Returns 1 (served) or 0 (refused).
 */
const ADMIT = `
local capacity = tonumber(redis.call('GET', KEYS[1]))
if not capacity then return 1 end
local entry = redis.call('HGET', KEYS[3], ARGV[3])
if entry then
  local ok, change = pcall(cjson.decode, entry)
  if ok and type(change) == 'table' and type(change.holder) == 'string'
    and redis.call('EXISTS', ARGV[4] .. change.holder) == 0 then
    redis.call('DEL', KEYS[1], KEYS[2])
    redis.call('HDEL', KEYS[3], ARGV[3])
    return 1
  end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local recent = redis.call('ZCARD', KEYS[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], window * 2)
if recent >= capacity then return 0 end
return 1
`

/**
 * The payment provider's capacity for one account: how many charge attempts a second it serves, counted across
 * every process that shares the account's Redis. Unset, the provider serves every attempt (the default: no
 * scenario but the one that sets it ever meets it).
 */
export class RedisProviderCapacity {
  readonly #redis: Redis
  readonly #keys: ReturnType<typeof keyspace>
  readonly #leases: ReturnType<typeof leaseKeys>

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis
    this.#keys = keyspace(prefix)
    this.#leases = leaseKeys(prefix)
  }

  /** Counts charge attempt `attempt` (unique per account) and says whether the provider serves it. */
  async admit(attempt: number): Promise<boolean> {
    const served = await this.#redis.eval(
      ADMIT,
      3,
      this.#keys.paymentsCapacity,
      this.#keys.paymentsRecentAttempts,
      this.#leases.changes,
      String(attempt),
      String(CAPACITY_WINDOW_MS),
      PAYMENTS_CAPACITY_LEASE,
      this.#leases.holderPrefix,
    )
    return served === 1
  }

  /** The capacity in charge attempts a second, or undefined when there is no limit. */
  async get(): Promise<number | undefined> {
    const raw = await this.#redis.get(this.#keys.paymentsCapacity)
    return raw === null ? undefined : Number(raw)
  }

  /**
   * Sets the capacity (a positive integer of charge attempts a second); anything else is a
   * `FIREDRILL_PAYMENTS_CAPACITY_INVALID` error.
   */
  async set(chargesPerSecond: number): Promise<void> {
    if (!Number.isInteger(chargesPerSecond) || chargesPerSecond < 1)
      throw new ProviderCapacityInvalidError('RedisProviderCapacity.set', chargesPerSecond)
    await this.#redis.set(this.#keys.paymentsCapacity, String(chargesPerSecond))
  }

  /** Removes the limit and forgets the attempts counted. */
  async clear(): Promise<void> {
    await this.#redis.del(this.#keys.paymentsCapacity, this.#keys.paymentsRecentAttempts)
  }
}
