import type { Redis } from 'ioredis'
import {
  type LeasedChange,
  type RevertedChange,
  readLeasedChanges,
  revertExpiredLeases,
} from '../leases/index.ts'
import { withTimeout } from '../platform/with-timeout.ts'
import { applyFlagChange, type FlagChange } from './flag-change.ts'
import type { FlagDefinition } from './flag-definition.ts'
import { flagLeaseReverter } from './flag-lease-reverter.ts'
import type { FlagStore, FlagsSnapshot } from './flag-store.ts'

export interface FlagStoreGuardianOptions {
  store: FlagStore
  /** A command connection for the lease checks (the guardian borrows it). */
  redis: Redis
  prefix: string
  /** Who acts, in the audit log. @defaultValue 'flags-service' */
  actor?: string
  /** How often to look. @defaultValue 500 */
  intervalMs?: number
  onRestored?: (flags: number) => void
  onReverted?: (reverted: RevertedChange) => void
  onError?: (err: unknown) => void
}

export interface FlagStoreGuardian {
  /** One look now: writes the definitions back if the store came back empty, and reverts lapsed leases. */
  check(): Promise<void>
  /** The definitions as last read from a store that held some. */
  lastKnown(): FlagsSnapshot | undefined
  /** A change this service just made: remembered at once, so an outage right after it cannot undo it. */
  noteChange(flag: string, definition: FlagDefinition, revision: number): void
  stop(): void
}

/**
 * Keeps the flag store whole for the flags service: it remembers the definitions it serves and writes them
 * back (audited) when Redis comes back empty, and it puts back every flag whose drill lease lapsed. So a kill
 * switch keeps working across a Redis restart, and nothing a dead drill turned on stays on.
 */
export function startFlagStoreGuardian(options: FlagStoreGuardianOptions): FlagStoreGuardian {
  const { store } = options
  const actor = options.actor ?? 'flags-service'
  let known: FlagsSnapshot | undefined
  /** The flags under a lease when `known` was read: written back at their safe value, since the lease is lost. */
  let leased: LeasedChange[] = []
  /** The revision the last full read (definitions and leases) saw. */
  let readAt = -1
  const leases = {
    redis: options.redis,
    prefix: options.prefix,
    claimant: actor,
    reverters: { flag: flagLeaseReverter(store) },
    ...(options.onReverted ? { onReverted: options.onReverted } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  }

  let running: Promise<void> | undefined
  const keepWhole = async () => {
    const revision = await store.revision()
    if (revision === readAt && revision > 0) return
    const snapshot = await store.snapshot()
    if (Object.keys(snapshot.flags).length > 0) {
      known = snapshot
      leased = (await readLeasedChanges(options.redis, options.prefix)).filter((c) => c.kind === 'flag')
      readAt = snapshot.revision
      return
    }
    if (known === undefined || Object.keys(known.flags).length === 0) return
    const { flags, madeSafe } = safeCopy(known.flags, leased)
    const count = Object.keys(flags).length
    const restored = await store.restoreIfEmpty(
      flags,
      actor,
      `the flag store came back empty (Redis restarted without persistence?): ${count} definitions written back from the flags service's last known state (revision ${known.revision})` +
        (madeSafe.length > 0
          ? `; ${madeSafe.join(', ')} written back at ${madeSafe.length === 1 ? 'its' : 'their'} safe value, since the lease that guarded ${madeSafe.length === 1 ? 'it' : 'them'} was lost with the data`
          : ''),
    )
    if (restored) options.onRestored?.(count)
    known = await store.snapshot()
  }
  const check = () => {
    running ??= (async () => {
      try {
        await withTimeout(keepWhole(), 5000, 'keeping the flag store whole')
        await withTimeout(revertExpiredLeases(leases), 5000, 'a lease check')
      } catch (err) {
        options.onError?.(err)
      }
    })().finally(() => {
      running = undefined
    })
    return running
  }
  const timer = setInterval(() => void check(), options.intervalMs ?? 500)
  timer.unref()
  return {
    check,
    lastKnown: () => known,
    noteChange: (flag, definition, revision) => {
      if (known === undefined || revision <= known.revision) return
      known = { revision, flags: { ...known.flags, [flag]: definition } }
    },
    stop: () => {
      clearInterval(timer)
    },
  }
}

/** The definitions with every leased flag at its safe value. */
function safeCopy(
  flags: Record<string, FlagDefinition>,
  leased: readonly LeasedChange[],
): { flags: Record<string, FlagDefinition>; madeSafe: string[] } {
  const copy = { ...flags }
  const madeSafe: string[] = []
  for (const change of leased) {
    const current = copy[change.target]
    if (current === undefined) continue
    try {
      copy[change.target] = applyFlagChange(change.target, current, change.safe as FlagChange)
      madeSafe.push(change.target)
    } catch {
      // a safe value that no longer fits the flag: keep the definition as it was
    }
  }
  return { flags: copy, madeSafe }
}
