import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { TargetDrillContext } from './target-drill-context.ts'
import { ON_CALL } from './target-paging.ts'

/** How often the drill reads the target's flag while it waits for the mitigation. */
const FLAG_POLL_MS = 100

/**
 * The respond phase: the page is with the responder; the drill waits for the mitigation (the target's flag off,
 * or the dependency's degrade switch on), and recovery counts from then.
 */
export async function targetRespondPhase(drill: TargetDrillContext): Promise<void> {
  const { dependencyDrill, signal } = drill
  const recovery = drill.recovery!
  if (dependencyDrill === undefined) {
    await respondWithFlagOff(drill)
    return
  }
  await dependencyDrill.respond({
    page: drill.page!,
    paging: drill.paging!,
    human: drill.responderKind === 'human',
    signal,
    mitigated: () => recovery.mitigated(),
  })
}

/** Waits for the target's flag to go off, credits whoever turned it off, and journals the mitigation. */
async function respondWithFlagOff(drill: TargetDrillContext): Promise<void> {
  const { control, clock, signal, journal, flag } = drill
  const page = drill.page!
  for (;;) {
    if ((await control.percent()) === 0) break
    await clock.sleep(FLAG_POLL_MS, signal)
  }
  if (drill.responderKind === 'human') {
    // Turned off with the team's own tools: the drill saw it happen, and credits the engineer on call. Without a
    // terminal to acknowledge in, the acknowledgement is taken at the mitigation.
    await journalFlagOff(journal, flag, ON_CALL, `turned off outside the drill, seen at ${control.where}`)
    await drill.paging!.acknowledge(ON_CALL, page.alert)
  }
  drill.recovery!.mitigated()
  await journal.append({
    type: 'mitigation.applied',
    data: {
      action: 'flag off',
      flag,
      by: lastFlagOffBy(journal.events, flag),
      reason: `${page.alert} paged`,
    },
  })
  drill.say(`mitigated: ${flag} off`)
}

/** Whoever turned the flag off last, by the journal (the responder, or the drill's cleanup). */
function lastFlagOffBy(events: readonly JournalEvent[], flag: string): string {
  const off = eventsOf(events, 'flag.changed').filter((e) => e.data.key === flag && e.data.percent === 0)
  return off.at(-1)?.data.actor ?? 'someone outside the drill'
}

/** Journals the target's flag seen off (`flag.changed` to 0 %), by whom and why. */
export function journalFlagOff(
  journal: DrillJournal,
  flag: string,
  actor: string,
  reason: string,
): Promise<unknown> {
  return journal.append({
    type: 'flag.changed',
    data: { key: flag, from: 'on', to: 'off', percent: 0, actor, reason },
  })
}
