import type { Redis } from 'ioredis'
import { withTimeout } from '../platform/with-timeout.ts'
import { leaseKeys } from './lease-keys.ts'
import type { LeasedChange, RevertedChange } from './leased-change.ts'

/**
 * Claims the changes whose holder's lease is gone, for the kinds this watchdog can put back. A claim is the
 * entry rewritten with `claimedBy`/`claimedAt` (Redis time); a claim older than ARGV[3] ms is taken over, so a
 * watchdog that died mid-revert does not leave a change on. Returns [field, claimed JSON, …].
 */
const CLAIM = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local kinds = {}
for kind in string.gmatch(ARGV[4], '[^,]+') do kinds[kind] = true end
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, entry = pcall(cjson.decode, all[i + 1])
  if ok and type(entry) == 'table' and kinds[entry.kind] and type(entry.holder) == 'string'
    and redis.call('EXISTS', ARGV[1] .. entry.holder) == 0
    and (entry.claimedAt == nil or nowMs - tonumber(entry.claimedAt) > tonumber(ARGV[3])) then
    entry.claimedBy = ARGV[2]
    entry.claimedAt = nowMs
    local claimed = cjson.encode(entry)
    redis.call('HSET', KEYS[1], all[i], claimed)
    table.insert(out, all[i])
    table.insert(out, claimed)
  end
end
return out
`

/** Drops a claimed entry once its change is put back, unless someone registered it again meanwhile. */
const DONE = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`

/** Puts one lapsed change back to its safe value; `reason` is for the audit log. */
export type Reverter = (change: LeasedChange, reason: string) => Promise<void>

export interface LeaseWatchdogOptions {
  /** A command connection the watchdog borrows. */
  redis: Redis
  prefix: string
  /** Who reverts, in the audit log: `flags service`, `api api-0`, … */
  claimant: string
  /** One reverter per kind this part of the shop can put back. */
  reverters: Readonly<Record<string, Reverter>>
  /** How often to look. @defaultValue 500 */
  intervalMs?: number
  /** A claim older than this is taken over by another watchdog. @defaultValue 5000 */
  reclaimAfterMs?: number
  /** Told about every change put back, and every failure. @defaultValue nothing */
  onReverted?: (reverted: RevertedChange) => void
  onError?: (err: unknown) => void
}

/**
 * Puts back every change whose lease has lapsed, once: claims each (so two watchdogs never both revert it),
 * reverts it with the reverter for its kind, then drops it. A failed revert stays claimed and is retried by
 * any watchdog after `reclaimAfterMs`. Returns what was put back.
 */
export async function revertExpiredLeases(options: LeaseWatchdogOptions): Promise<RevertedChange[]> {
  const keys = leaseKeys(options.prefix)
  const kinds = Object.keys(options.reverters)
  if (kinds.length === 0) return []
  const claimed = (await options.redis.eval(
    CLAIM,
    1,
    keys.changes,
    keys.holderPrefix,
    options.claimant,
    options.reclaimAfterMs ?? 5000,
    kinds.join(','),
  )) as string[]
  const reverted: RevertedChange[] = []
  for (let i = 0; i + 1 < claimed.length; i += 2) {
    const field = claimed[i]!
    const json = claimed[i + 1]!
    const change = JSON.parse(json) as LeasedChange
    const reason = `lease of ${change.holderLabel} expired; ${change.resource} put back to its safe value by ${options.claimant}`
    try {
      await options.reverters[change.kind]!(change, reason)
      await options.redis.eval(DONE, 1, keys.changes, field, json)
      const done = { change, reason }
      reverted.push(done)
      options.onReverted?.(done)
    } catch (err) {
      options.onError?.(err)
    }
  }
  return reverted
}

export interface LeaseWatchdog {
  /** One look now (also what the timer does). Never throws. */
  check(): Promise<RevertedChange[]>
  stop(): void
}

/** Watches the leases under a prefix every `intervalMs`; a look never overlaps the previous one. */
export function startLeaseWatchdog(options: LeaseWatchdogOptions): LeaseWatchdog {
  let running: Promise<RevertedChange[]> | undefined
  let stopped = false
  const check = () => {
    if (stopped) return Promise.resolve([])
    running ??= withTimeout(revertExpiredLeases(options), 5000, 'a lease check')
      .catch((err: unknown) => {
        options.onError?.(err)
        return []
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const timer = setInterval(() => void check(), options.intervalMs ?? 500)
  timer.unref()
  return {
    check,
    stop: () => {
      stopped = true
      clearInterval(timer)
    },
  }
}

/** Every change registered under a lease right now, claimed or not. */
export async function readLeasedChanges(redis: Redis, prefix: string): Promise<LeasedChange[]> {
  const all = await redis.hgetall(leaseKeys(prefix).changes)
  const changes: LeasedChange[] = []
  for (const json of Object.values(all)) {
    try {
      changes.push(JSON.parse(json) as LeasedChange)
    } catch {
      // not ours to judge: a watchdog skips it too
    }
  }
  return changes
}
