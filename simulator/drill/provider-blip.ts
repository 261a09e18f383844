import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LeaseHolder } from '../../services/leases/index.ts'
import { type FaultMode, NO_FAULT } from '../../services/payments/fault-mode.ts'
import { PAYMENTS_FAULT_LEASE, type RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { describeFaultMode } from '../../services/payments/provider-status.ts'

/**
 * The provider's blip in a retry-storm release: `afterSeconds` into the last step, its fault mode for `seconds`,
 * then healthy again (under the drill's lease throughout). Skipped when someone is paged first; once started, it
 * always ends.
 */
export async function providerBlip(options: {
  blip: { provider: FaultMode; afterSeconds: number; seconds: number }
  lease: LeaseHolder
  store: RedisFaultModeStore
  wait: (ms: number) => Promise<unknown>
  /** Holds the blip for its length (rejects when the drill is aborted; the blip ends either way). */
  hold: (ms: number) => Promise<void>
  paged: () => boolean
  journal: { append(event: NewJournalEvent): Promise<unknown> }
  say: (line: string) => void
}): Promise<void> {
  const { blip, store, journal, say } = options
  await options.wait(blip.afterSeconds * 1000)
  if (options.paged()) return
  await options.lease.guard(PAYMENTS_FAULT_LEASE, '', null)
  await store.set(blip.provider)
  const during = describeFaultMode(blip.provider)
  await journal.append({
    type: 'provider.changed',
    data: { mode: blip.provider.mode, provider: during, why: `a blip of ${blip.seconds} s` },
  })
  say(`the payment provider ${during} (a blip of ${blip.seconds} s)`)
  try {
    await options.hold(blip.seconds * 1000)
  } finally {
    await store.set(NO_FAULT)
    await journal.append({
      type: 'provider.changed',
      data: { mode: NO_FAULT.mode, provider: describeFaultMode(NO_FAULT), why: 'the blip is over' },
    })
    say('the payment provider answers normally again: the blip is over')
  }
}
