import { deferredOrders } from './deferred-orders.ts'
import type { DrillContext } from './drill-context.ts'
import { untilAborted } from './drill-safety.ts'
import { observeMitigation } from './flag-steps.ts'
import { queuePauseMitigation } from './queue-pause-mitigation.ts'

/** Whether the release ended in an incident (a page): respond and recover run only then. */
export function hadIncident(drill: DrillContext): boolean {
  return drill.incident?.page != null
}

/**
 * The respond phase: the page is with the responder; the drill waits for the mitigation to take effect (the flag
 * off, production rolled back, the fulfilment queue paused, or the degrade switch on and deferring orders), and
 * recovery counts from then.
 */
export async function respondPhase(drill: DrillContext): Promise<void> {
  const { flag, providerFault } = drill
  const { shop, deploys, base } = drill.deployed!
  const mitigation = await observeMitigation({
    flags: drill.flags!,
    flag,
    ...(providerFault === undefined
      ? {}
      : {
          degradeSwitch: {
            flag: providerFault.degradeSwitch,
            deferrals: () => deferredOrders(shop.workerMetricsUrls),
          },
        }),
    rollback: { deploys, urls: shop.liveUrls, to: base },
    ...queuePauseMitigation(drill.scenario, drill.queueControl),
    alert: drill.incident!.page!.alert,
    paging: drill.paging!,
    journal: drill.journal,
    clock: drill.clock,
    signal: drill.signal,
  })
  drill.recovery!.mitigated()
  drill.say(
    `mitigated: ${
      mitigation.action === 'rollback'
        ? 'production rolled back'
        : mitigation.action === 'queue paused'
          ? 'the fulfilment queue paused'
          : mitigation.action === 'degrade switch on'
            ? `${providerFault?.degradeSwitch} on`
            : `${flag} off`
    } (by ${mitigation.by})`,
  )
}

/** The recover phase: the short window's error ratio under the SLO's budget for N evaluations in a row. */
export async function recoverPhase(drill: Pick<DrillContext, 'recovery' | 'signal' | 'say'>): Promise<void> {
  await untilAborted(drill.recovery!.recovered, drill.signal)
  drill.say('recovered')
}
