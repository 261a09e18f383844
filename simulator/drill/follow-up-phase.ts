import type { DrillContext } from './drill-context.ts'
import { followUp } from './follow-up.ts'

/**
 * Whether the loop follows: after an incident the drill recovered from, and after a near miss the scenario has a
 * fix for (the change done right); never after an abort, or when the caller turned it off. A provider's fault
 * the shop rode out the first time has no incident to follow up.
 */
export function loopToClose(drill: DrillContext): boolean {
  return loopFollows(drill) && drill.options.followUp !== false
}

/** A loop would follow, but the caller turned the follow-up off (`followUp: false`): the journal says so. */
export function loopTurnedOff(drill: DrillContext): boolean {
  return loopFollows(drill) && drill.options.followUp === false
}

function loopFollows(drill: DrillContext): boolean {
  const nearMissFix =
    drill.status === 'prevented' &&
    drill.repeated === undefined &&
    drill.providerFault === undefined &&
    drill.loaded.files['followUp.fix'] !== undefined
  return (
    drill.abort === undefined && (drill.status === 'recovered' || nearMissFix) && drill.deployed !== undefined
  )
}

/** The follow-up phase: close the loop (fix, verify, replay), then close out the release flag. */
export async function followUpPhase(drill: DrillContext): Promise<void> {
  const after = await followUp({
    loaded: drill.loaded,
    repo: drill.deployed!.repo,
    journal: drill.journal,
    outDir: drill.outDir,
    redisUrl: drill.options.redisUrl,
    clock: drill.clock,
    say: drill.say,
  })
  drill.loopClosed = after.loopClosed
  drill.flagClosedOut = after.flagClosedOut
}

/** The reason `loop.not-run` gives when the caller turned the follow-up off. */
export const FOLLOW_UP_TURNED_OFF = 'the follow-up was turned off for this run'

/** Journals that the loop was not run because the caller turned it off; the checks then skip it, not fail it. */
export async function skipFollowUp(drill: DrillContext): Promise<void> {
  await drill.journal.append({
    type: 'loop.not-run',
    data: { reason: FOLLOW_UP_TURNED_OFF, turnedOff: true },
  })
  drill.say(`loop not run: ${FOLLOW_UP_TURNED_OFF}`)
}
