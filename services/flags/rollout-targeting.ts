import type { Targeting } from './flag-definition.ts'

/**
 * The flagd targeting for a percentage release: `percent` of targeting keys get `onVariant`, the rest
 * `offVariant`. flagd's `fractional` hashes flag key + targeting key (MurmurHash3 over their UTF-8 bytes, which
 * firedrill's evaluator matches: see `createFlagdCore`), so a key's bucket is fixed per flag, is the one a team's
 * flagd gives it, and a key that is on at 5% stays on at 50% and 100%. Whole percents give `[[on, 5], [off, 95]]`; fractions of a
 * percent are written in basis points (`2.5` → `[[on, 250], [off, 9750]]`).
 */
export function rolloutTargeting(percent: number, onVariant = 'on', offVariant = 'off'): Targeting {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new RangeError(`A rollout percent must be 0..100 (got ${percent}).`)
  if (onVariant === offVariant)
    throw new RangeError(`A rollout needs two different variants (got "${onVariant}" twice).`)
  const scale = Number.isInteger(percent) ? 1 : 100
  const on = Math.round(percent * scale)
  return {
    fractional: [
      [onVariant, on],
      [offVariant, 100 * scale - on],
    ],
  }
}

export interface Rollout {
  percent: number
  onVariant: string
  offVariant: string
}

/** Reads back a targeting rule made by {@link rolloutTargeting} (or shaped like one); otherwise undefined. */
export function readRollout(targeting: unknown): Rollout | undefined {
  if (typeof targeting !== 'object' || targeting === null) return undefined
  const keys = Object.keys(targeting)
  const buckets = (targeting as { fractional?: unknown }).fractional
  if (keys.length !== 1 || !Array.isArray(buckets) || buckets.length !== 2) return undefined
  const [first, second] = buckets as unknown[]
  if (!isBucket(first) || !isBucket(second)) return undefined
  const total = first[1] + second[1]
  if (total <= 0) return undefined
  return { percent: (first[1] / total) * 100, onVariant: first[0], offVariant: second[0] }
}

function isBucket(value: unknown): value is [string, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    Number.isInteger(value[1]) &&
    value[1] >= 0
  )
}
