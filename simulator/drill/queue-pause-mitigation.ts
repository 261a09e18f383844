import type { Clock } from '../../record/clock/clock.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import type { FulfilmentQueueControls, QueuePauseRequest } from './fulfilment-queue-control.ts'

/** What the drill watches of a pause: the pause asked for, and whether it has taken effect. */
export type QueuePauseWatch = Pick<FulfilmentQueueControls, 'pauseRequested' | 'drained' | 'status'>

/**
 * A pause of the fulfilment queue counts as a mitigation only in a drill with a fulfilment SLO: holding orders
 * relieves that SLO (no order is failed or lost while held), and nothing else (checkout's availability and
 * latency never wait on the queue). Spread into `observeMitigation`'s options.
 */
export function queuePauseMitigation(
  scenario: Pick<ValidScenario, 'slo'>,
  controls: QueuePauseWatch | undefined,
): { queuePause?: QueuePauseWatch } {
  if (controls === undefined) return {}
  return scenario.slo.indicators.some((i) => i.sli === 'fulfilment') ? { queuePause: controls } : {}
}

/**
 * Resolves with the pause once it has taken effect, whoever asked for it: BullMQ reports the queue paused and no
 * job active, twice 100 ms apart (the workers finished the jobs in hand and took no new one). A pause asked for
 * and resumed before it took effect is not a mitigation.
 */
export async function waitForQueueDrained(
  watch: QueuePauseWatch,
  clock: Clock,
  signal: AbortSignal,
): Promise<QueuePauseRequest> {
  for (;;) {
    const request = watch.pauseRequested()
    if (request !== undefined && (await watch.drained())) {
      await clock.sleep(100, signal)
      if (watch.pauseRequested() === request && (await watch.drained())) return request
      continue
    }
    await clock.sleep(100, signal)
  }
}
