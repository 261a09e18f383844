import type { FlagType } from '../flag-definition.ts'

/**
 * How long a flag of each type is expected to live, in days, before it counts as potentially stale
 * (Unleash's lifetimes). `null`: kill switches and permission flags may live for ever.
 */
export const FLAG_TYPE_LIFETIME_DAYS: Readonly<Record<FlagType, number | null>> = Object.freeze({
  release: 40,
  experiment: 40,
  operational: 7,
  'kill-switch': null,
  permission: null,
})

/** Flag types that may live on: they need an owner, not an expiry or a removal ticket. */
export const PERMANENT_FLAG_TYPES: readonly FlagType[] = ['kill-switch', 'permission']

const DAY_MS = 86_400_000

/** Whole days from `createdAt` to `now`; null when there is no creation date or it is not a date. */
export function flagAgeDays(createdAt: string | null, now: Date): number | null {
  if (createdAt === null) return null
  const created = Date.parse(createdAt)
  if (Number.isNaN(created)) return null
  return Math.max(0, Math.floor((now.getTime() - created) / DAY_MS))
}

/** A flag older than its type's lifetime; an unknown age or a permanent type is never stale. */
export function isPotentiallyStale(type: string | null, ageDays: number | null): boolean {
  if (ageDays === null || type === null || !Object.hasOwn(FLAG_TYPE_LIFETIME_DAYS, type)) return false
  const lifetime = FLAG_TYPE_LIFETIME_DAYS[type as FlagType]
  return lifetime !== null && ageDays > lifetime
}

/**
 * Whether `expiresAt` has passed at `now`. A plain date (`2026-12-31`) covers that whole day in UTC; a
 * date-time expires at that instant. An unparseable value never expires (the loader refuses it anyway).
 */
export function isPastExpiry(expiresAt: string | null, now: Date): boolean {
  if (expiresAt === null) return false
  const at = Date.parse(expiresAt)
  if (Number.isNaN(at)) return false
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expiresAt) ? at + DAY_MS : at
  return now.getTime() >= end
}
