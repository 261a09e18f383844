import type { Redis } from 'ioredis'
import { waitForReady } from '../platform/redis/redis-connection.ts'
import { withTimeout } from '../platform/with-timeout.ts'
import { type LeaseKeys, leaseKeys } from './lease-keys.ts'
import { type LeasedChange, leasedResource } from './leased-change.ts'
import { LeaseNotHeldError } from './leases-errors.ts'

/** Renews the lease only while it still exists: a lease that lapsed stays lapsed (its changes are being put back). */
const RENEW = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`

/** Registers a change, only while the lease is held. */
const GUARD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`

/** Drops the holder's own entries (all of them, or the one named) and, when asked, the lease itself. */
const RELEASE = `
local dropped = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local entry = cjson.decode(all[i + 1])
  if entry.holder == ARGV[1] and (ARGV[2] == '' or all[i] == ARGV[2]) then
    redis.call('HDEL', KEYS[2], all[i])
    dropped = dropped + 1
  end
end
if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
return dropped
`

export interface LeaseHolderOptions {
  /** A command connection (fail-fast) the holder borrows; it is not closed by `end()`. */
  redis: Redis
  /** The shop's key prefix, where the shop's parts look for leases. */
  prefix: string
  /** A unique id for the holder (a run id). */
  holder: string
  /** The holder in words, for the audit log. @defaultValue the holder id */
  label?: string
  /** How long the lease lives without a renewal. @defaultValue 5000 */
  ttlMs?: number
  /** How often the heartbeat renews it. @defaultValue 1000 */
  heartbeatMs?: number
  /**
   * Called once when the lease is lost: not renewed for `lostAfterMs` (Redis unreachable), or found gone (it
   * lapsed while this process was stalled). The holder's changes are then put back by the shop.
   */
  onLost?: (reason: string) => void
  /** How long renewals may fail (or hang) before the lease counts as lost. @defaultValue 3000 */
  lostAfterMs?: number
}

/**
 * A dead man's switch: a lease in Redis that this process renews on a heartbeat, and the changes it guards.
 * Register a change (`guard`) before making it; if the holder dies or loses Redis, the lease lapses after its
 * TTL and every part of the shop watching the prefix puts the guarded changes back to their safe values.
 */
export class LeaseHolder {
  readonly holder: string
  readonly label: string
  readonly ttlMs: number
  readonly heartbeatMs: number
  readonly #redis: Redis
  readonly #keys: LeaseKeys
  readonly #onLost: (reason: string) => void
  readonly #lostAfterMs: number
  #timer: NodeJS.Timeout | undefined
  #lastRenewed = Date.now()
  #lost: string | undefined
  #renewing = false
  #lastError: string | undefined
  #ended = false

  private constructor(options: LeaseHolderOptions) {
    this.holder = options.holder
    this.label = options.label ?? options.holder
    this.ttlMs = options.ttlMs ?? 5000
    this.heartbeatMs = options.heartbeatMs ?? 1000
    this.#redis = options.redis
    this.#keys = leaseKeys(options.prefix)
    this.#onLost = options.onLost ?? (() => {})
    this.#lostAfterMs = options.lostAfterMs ?? 3000
  }

  /** Takes the lease (a fresh holder id) and starts its heartbeat. Rejects when Redis does not answer. */
  static async acquire(options: LeaseHolderOptions): Promise<LeaseHolder> {
    const lease = new LeaseHolder(options)
    await waitForReady(lease.#redis, 2000)
    const value = JSON.stringify({ label: lease.label, since: new Date().toISOString() })
    const taken = await withTimeout(
      lease.#redis.set(lease.#keys.lease(lease.holder), value, 'PX', lease.ttlMs, 'NX'),
      2000,
      'taking the lease',
    )
    if (taken !== 'OK') throw new Error(`a lease for ${lease.holder} is already held`)
    lease.#lastRenewed = Date.now()
    lease.#timer = setInterval(() => void lease.#renew(), lease.heartbeatMs)
    lease.#timer.unref()
    return lease
  }

  /** Why the lease was lost, or undefined while it is held. */
  get lost(): string | undefined {
    return this.#lost
  }

  /**
   * Registers a change before it is made: if this holder's lease lapses, `safe` is put back by a reverter for
   * `kind`. Throws `LeaseNotHeldError` when the lease is gone, so nothing is changed without a lease.
   */
  async guard(kind: string, target: string, safe: unknown): Promise<void> {
    const resource = leasedResource(kind, target)
    const entry: LeasedChange = {
      holder: this.holder,
      holderLabel: this.label,
      resource,
      kind,
      target,
      safe,
      at: new Date().toISOString(),
    }
    const held = await withTimeout(
      this.#redis.eval(
        GUARD,
        2,
        this.#keys.lease(this.holder),
        this.#keys.changes,
        resource,
        JSON.stringify(entry),
      ),
      2000,
      `registering ${resource} under the lease`,
    )
    if (held !== 1) throw new LeaseNotHeldError(this.holder, resource)
  }

  /** The change to `kind:target` is back to its safe value: the lease no longer guards it. */
  async release(kind: string, target = ''): Promise<void> {
    await this.#release(leasedResource(kind, target), false)
  }

  /**
   * Stops the heartbeat and leaves everything as it is: the lease lapses after its TTL and the shop puts back
   * what it guards. What a holder does when it could not put things back itself. Idempotent.
   */
  abandon(): void {
    this.#ended = true
    clearInterval(this.#timer)
  }

  /** Stops the heartbeat, drops every change this holder registered, and the lease. Idempotent. */
  async end(timeoutMs = 2000): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#timer)
    await withTimeout(this.#release('', true), timeoutMs, 'ending the lease')
  }

  async #release(resource: string, dropLease: boolean): Promise<void> {
    await this.#redis.eval(
      RELEASE,
      2,
      this.#keys.lease(this.holder),
      this.#keys.changes,
      this.holder,
      resource,
      dropLease ? '1' : '0',
    )
  }

  async #renew(): Promise<void> {
    if (this.#ended || this.#lost !== undefined) return
    const silentFor = Date.now() - this.#lastRenewed
    // Renewals that failed or hung this long: Redis is out of reach. A heartbeat that merely ran late (this
    // process starved of CPU) is not that: the renewal below says whether the lease outlived the stall.
    if (silentFor >= this.#lostAfterMs && (this.#renewing || this.#lastError !== undefined)) {
      this.#lose(
        `redis unavailable: no renewal for ${silentFor} ms${this.#lastError ? ` (${this.#lastError})` : ''}`,
      )
      return
    }
    // One renewal at a time: a slow Redis is judged by the time since the last renewal, not by piling up calls.
    if (this.#renewing) return
    this.#renewing = true
    try {
      const renewed = await this.#redis.eval(RENEW, 1, this.#keys.lease(this.holder), this.ttlMs)
      if (renewed === 1) {
        this.#lastRenewed = Date.now()
        this.#lastError = undefined
      } else this.#lose(`it lapsed before it was renewed (no renewal for over ${this.ttlMs} ms)`)
    } catch (err) {
      this.#lastError = (err as Error).message
    } finally {
      this.#renewing = false
    }
  }

  #lose(reason: string): void {
    if (this.#lost !== undefined || this.#ended) return
    this.#lost = reason
    clearInterval(this.#timer)
    this.#onLost(reason)
  }
}
