import type { Reverter } from '../leases/lease-watchdog.ts'
import { applyFlagChange, type FlagChange } from './flag-change.ts'
import type { FlagStore } from './flag-store.ts'
import { FlagNotFoundError } from './flags-errors.ts'

/** The actor the audit log names when a lapsed lease's flag is put back. */
export const LEASE_WATCHDOG_ACTOR = 'lease-watchdog'

/**
 * Puts a flag whose lease lapsed back to its safe value, through the store (so the change is atomic, audited
 * and announced like any flip). A flag that is gone, or already safe, needs nothing.
 */
export function flagLeaseReverter(store: FlagStore): Reverter {
  return async (change, reason) => {
    const safe = change.safe as FlagChange
    const current = await store.get(change.target)
    if (current === undefined) return
    const next = applyFlagChange(change.target, current, safe)
    if (JSON.stringify(next) === JSON.stringify(current)) return
    try {
      await store.setFlag(change.target, safe, LEASE_WATCHDOG_ACTOR, reason)
    } catch (err) {
      if (!(err instanceof FlagNotFoundError)) throw err
    }
  }
}
