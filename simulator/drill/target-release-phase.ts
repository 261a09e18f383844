import type { ReleaseStep } from '../../record/scenario/scenario-schema.ts'
import { untilAborted } from './drill-safety.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/** Who the drill's own flag changes are credited to. */
const RELEASE_ACTOR = 'release-train'

/**
 * The release phase: canary steps, until the last step's hold ends or someone is paged. Each step is the
 * dependency's fault on for the step's share of its calls, or the target's flag on for the step's share.
 */
export async function targetReleasePhase(drill: TargetDrillContext): Promise<void> {
  const { scenario, clock, signal, dependencyDrill } = drill
  const paging = drill.paging!
  for (const [i, step] of scenario.release.steps.entries()) {
    if (paging.isPaged()) break
    if (dependencyDrill !== undefined) {
      drill.released ||= step.percent > 0
      await dependencyDrill.release(i + 1, step, drill.runId)
    } else {
      drill.touched = true
      drill.released ||= step.percent > 0
      await turnFlagOn(drill, step, i)
    }
    await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), paging.paged])
  }
}

/** A release step: the target's flag on for the step's share, journalled and said. */
async function turnFlagOn(drill: TargetDrillContext, step: ReleaseStep, i: number): Promise<void> {
  const { control, flag, journal } = drill
  const from = await control.percent().catch(() => null)
  const applied = await control.release(
    step.percent,
    `release step ${i + 1} of the drill ${drill.runId}`,
    RELEASE_ACTOR,
  )
  await journal.append({
    type: 'flag.changed',
    data: {
      key: flag,
      from,
      to: applied.percent === 0 ? 'off' : 'on',
      percent: applied.percent,
      actor: RELEASE_ACTOR,
      reason: `release step ${i + 1}`,
    },
  })
  await journal.append({
    type: 'release.step',
    data: { flag, step: i + 1, percent: applied.percent, holdSeconds: step.holdSeconds },
  })
  drill.say(
    `release step ${i + 1}: ${flag} on for ${applied.percent}% (${control.where})${control.percentages ? '' : ': the flip command takes no {percent}, so any step is all or nothing'}`,
  )
}

/** Whether the whole release held with nobody paged. */
export function notPaged(drill: TargetDrillContext): boolean {
  return !drill.paging!.isPaged()
}

/** The page the responder answers, once it comes (stop conditions cover a page that never comes). */
export async function waitForPage(drill: TargetDrillContext): Promise<void> {
  drill.page = await untilAborted(drill.paging!.paged, drill.signal)
}
