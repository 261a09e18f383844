import type { Clock } from '../../record/clock/clock.ts'
import type { JournalEvent } from '../../record/journal/journal-event.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { deriveImpact } from '../../record/timings/derive-impact.ts'
import { impactSloOf } from '../../record/timings/drill-figures.ts'
import { createFlagStore } from '../../services/flags/create-flag-store.ts'
import { flagPercent, isFlagOff, OFF } from '../../services/flags/flag-state.ts'
import type { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { FlagView } from '../../services/flags/flags-schemas.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { RedisProviderCapacity } from '../../services/payments/provider-capacity.ts'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'

/**
 * Puts the shop back whatever happened: the guarded flag off (if the change has one) (straight through the store, since the flags app
 * may be gone) and the payment provider's faults and capacity cleared.
 */
export async function restoreSafety(
  redisUrl: string,
  prefix: string,
  flag: string | undefined,
  why: string,
): Promise<void> {
  const store = createFlagStore({ redis: redisUrl, prefix })
  const redis = createRedisConnection(redisUrl, 'worker')
  try {
    const current = flag === undefined ? undefined : await store.get(flag)
    if (
      flag !== undefined &&
      current !== undefined &&
      (current.defaultVariant !== 'off' || current.targeting !== undefined)
    ) {
      await store.setFlag(flag, OFF, 'firedrill', `drill cleanup: ${why}`)
    }
    await new RedisFaultModeStore(redis, prefix).clear()
    await new RedisProviderCapacity(redis, prefix).clear()
  } finally {
    await store.close()
    await redis.quit().catch(() => {})
  }
}

/** Resolves with the flag's view once `holds` says so, whoever changed it (read every 100 ms). */
async function waitForFlag(
  flags: FlagsHttpClient,
  flag: string,
  holds: (view: FlagView) => boolean,
  clock: Clock,
  signal: AbortSignal,
): Promise<FlagView> {
  for (;;) {
    const view = (await flags.list()).flags.find((f) => f.key === flag)
    if (view !== undefined && holds(view)) return view
    await clock.sleep(100, signal)
  }
}

/** Resolves with the flag's view once it serves off to everyone, whoever turned it off. */
export function waitForFlagOff(
  flags: FlagsHttpClient,
  flag: string,
  clock: Clock,
  signal: AbortSignal,
): Promise<FlagView> {
  return waitForFlag(flags, flag, isFlagOff, clock, signal)
}

/** Resolves with the flag's view once it serves on to everyone (a switch turned on), whoever turned it. */
export function waitForFlagOn(
  flags: FlagsHttpClient,
  flag: string,
  clock: Clock,
  signal: AbortSignal,
): Promise<FlagView> {
  return waitForFlag(flags, flag, (view) => flagPercent(view) === 100, clock, signal)
}

/** The promise's outcome, or the signal's reason if it aborts first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

/** A stop condition that tripped: why, and which one. */
export interface TrippedStop {
  reason: string
  condition: 'error-budget' | 'max-duration'
}

/**
 * How long the journal's drill was held paused by its facilitator in its first `elapsedMs`: every pause that
 * was resumed, and one still on up to then (measured from the journal's first event).
 */
export function pausedMsOf(events: readonly JournalEvent[], elapsedMs: number): number {
  let total = 0
  let since: number | null = null
  for (const e of events) {
    if (e.type === 'drill.paused') since = Date.parse(e.at)
    else if (e.type === 'drill.resumed') {
      total += e.data.pausedMs
      since = null
    }
  }
  const first = events[0]
  if (since !== null && first !== undefined) total += Math.max(0, Date.parse(first.at) + elapsedMs - since)
  return total
}

/**
 * The scenario's stop conditions against the journal so far: more of the error budget consumed than allowed,
 * or the drill running past its time limit (`elapsedMs`, less the time its facilitator held it paused). Null
 * while neither has tripped.
 */
export function trippedStopCondition(
  events: readonly JournalEvent[],
  scenario: ValidScenario,
  elapsedMs: number,
): TrippedStop | null {
  const limits = scenario.stopConditions
  const { errorBudgetConsumedPct } = deriveImpact(events, impactSloOf(scenario))
  if (errorBudgetConsumedPct > limits.maxErrorBudgetConsumedPct)
    return {
      reason: `stop condition: ${errorBudgetConsumedPct.toFixed(1)}% of the error budget consumed (limit ${limits.maxErrorBudgetConsumedPct}%)`,
      condition: 'error-budget',
    }
  if (elapsedMs - pausedMsOf(events, elapsedMs) > limits.maxDurationSeconds * 1000)
    return {
      reason: `stop condition: the drill ran past ${limits.maxDurationSeconds} s`,
      condition: 'max-duration',
    }
  return null
}
