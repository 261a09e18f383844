import { closeLoop } from './close-loop.ts'
import { closeOutFlag } from './close-out-flag.ts'
import type { FollowUpOptions } from './follow-up-options.ts'

export interface FollowUpOutcome {
  /** The fix merged through the gate, every action item holds, and the replayed bad change is blocked. */
  loopClosed: boolean
  /** The release flag completed, its code path removed through the gate, and archived on trunk. */
  flagClosedOut: boolean
}

/**
 * The follow-up phase of a recovered drill: close the loop (fix, verify, replay), then, once it holds, close
 * out the release flag. A step that fails is journalled as a failed check and named on the progress line; the
 * drill itself has already ended, so nothing here throws.
 */
export async function followUp(options: FollowUpOptions): Promise<FollowUpOutcome> {
  const { journal, say } = options
  const failed = (name: string) => async (err: unknown) => {
    const message = (err as Error).message
    await journal.append({ type: 'check.failed', data: { name, evidence: {}, message } })
    say(`${name}: no (${message})`)
    return false
  }
  const loopClosed = await closeLoop(options).catch(failed('loop closed'))
  if (!loopClosed) {
    const { flag } = options.loaded.scenario.change
    say(`the loop did not close${flag === undefined ? '' : `: ${flag} stays active`}`)
    return { loopClosed, flagClosedOut: false }
  }
  const flagClosedOut = await closeOutFlag(options).catch(failed('flag closed out'))
  return { loopClosed, flagClosedOut }
}
