import type { Redis } from 'ioredis'
import { leaseKeys } from '../../services/leases/index.ts'

/** Hash: run id → the run's Redis footprint (its own prefixes and its lease), while the run lives. */
export const RUNS_REGISTRY = 'firedrill:runs'

/** What a run writes to Redis, registered so that a later run can remove what a crashed one left. */
export interface RunFootprint {
  runId: string
  /** Prefixes the run owns: every key under them is the run's (the drill's own shop, its staging). */
  prefixes: string[]
  /** The prefix its lease lives under, and its holder id. */
  leasePrefix: string
  holder: string
  startedAt: string
}

export async function registerRun(redis: Redis, footprint: RunFootprint): Promise<void> {
  await redis.hset(RUNS_REGISTRY, footprint.runId, JSON.stringify(footprint))
}

export async function unregisterRun(redis: Redis, runId: string): Promise<void> {
  await redis.hdel(RUNS_REGISTRY, runId)
}

/** Removes every key under the prefixes (SCAN and UNLINK, never KEYS); returns how many. */
export async function removeKeys(redis: Redis, prefixes: readonly string[]): Promise<number> {
  let removed = 0
  for (const prefix of prefixes) {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) removed += await redis.unlink(...keys)
    } while (cursor !== '0')
  }
  return removed
}

/**
 * Gives every key under the prefixes that has no TTL (or one this keeper set earlier) a TTL of `ttlMs`, so
 * that if the run dies, what it wrote expires by itself. Keys with a shorter TTL of their own (BullMQ's locks)
 * are left alone.
 */
const KEEP = `
local n = 0
for _, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or ttl > tonumber(ARGV[2]) then
    redis.call('PEXPIRE', key, ARGV[1])
    n = n + 1
  end
end
return n
`

export interface KeyKeeper {
  /** One pass now. */
  keep(): Promise<number>
  stop(): void
}

/**
 * While a run lives, renews a TTL on every key it wrote (`ttlMs`, at once and then every `everyMs`, default
 * 5 s), so a killed run's keys expire within `ttlMs` even if no later run removes them.
 */
export function startKeyKeeper(
  redis: Redis,
  prefixes: readonly string[],
  options: { ttlMs?: number; everyMs?: number } = {},
): KeyKeeper {
  const ttlMs = options.ttlMs ?? 10 * 60_000
  const everyMs = options.everyMs ?? 5000
  let running: Promise<number> | undefined
  const keep = () => {
    running ??= (async () => {
      let kept = 0
      for (const prefix of prefixes) {
        let cursor = '0'
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000)
          cursor = next
          if (keys.length > 0)
            kept += (await redis.eval(KEEP, keys.length, ...keys, ttlMs, ttlMs / 2)) as number
        } while (cursor !== '0')
      }
      return kept
    })().finally(() => {
      running = undefined
    })
    return running
  }
  const timer = setInterval(() => void keep().catch(() => {}), everyMs)
  timer.unref()
  void keep().catch(() => {})
  return { keep, stop: () => clearInterval(timer) }
}

/**
 * Removes the keys of every registered run whose lease has lapsed (its process died, or lost Redis), and
 * forgets the run. Returns what it removed, by run.
 */
export async function sweepCrashedRunKeys(redis: Redis): Promise<Array<{ runId: string; keys: number }>> {
  const swept: Array<{ runId: string; keys: number }> = []
  const registered = await redis.hgetall(RUNS_REGISTRY)
  for (const [runId, json] of Object.entries(registered)) {
    let footprint: RunFootprint
    try {
      footprint = JSON.parse(json) as RunFootprint
    } catch {
      await redis.hdel(RUNS_REGISTRY, runId)
      continue
    }
    if ((await redis.exists(leaseKeys(footprint.leasePrefix).lease(footprint.holder))) === 1) continue
    const keys = await removeKeys(redis, footprint.prefixes)
    await redis.hdel(RUNS_REGISTRY, runId)
    swept.push({ runId, keys })
  }
  return swept
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}
