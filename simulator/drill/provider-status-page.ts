import type { Clock } from '../../record/clock/clock.ts'
import type { FaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { statusPageAt } from '../../services/payments/provider-status.ts'
import type { SeenProviderStatus } from './responders/diagnose.ts'

export interface ProviderStatusPage {
  /** What the page says now, and since when (the first reading that said so). */
  read(): Promise<SeenProviderStatus>
  stop(): void
}

/**
 * The payment provider's public status page during a drill: its status, read from the provider's fault mode as
 * every process that calls it shares it, sampled every `intervalMs` so the page can say since when. It says what
 * a provider's page says (operational, degraded, an outage), never the fault's numbers.
 */
export function startProviderStatusPage(options: {
  store: Pick<FaultModeStore, 'get'>
  clock: Clock
  /** @defaultValue 250 */
  intervalMs?: number
}): ProviderStatusPage {
  let current: SeenProviderStatus | undefined
  const sample = async (): Promise<SeenProviderStatus> => {
    current = statusPageAt(current, await options.store.get(), new Date(options.clock.now()).toISOString())
    return current
  }
  const timer = setInterval(() => {
    sample().catch(() => {
      // Redis away for a moment: the next sample tries again, and the page keeps what it said.
    })
  }, options.intervalMs ?? 250)
  timer.unref()
  void sample().catch(() => {})
  return { read: sample, stop: () => clearInterval(timer) }
}
