import type { DrillOutcome } from './drill-options.ts'
import { type DrillPhaseStep, runPhases } from './drill-phases.ts'
import { finishTargetDrill } from './finish-target-drill.ts'
import { recoverPhase } from './respond-phase.ts'
import { steadyStateBefore } from './steady-state-phases.ts'
import { keepAbort, targetCleanUpPhase } from './target-cleanup-phase.ts'
import { armDeadMansSwitch } from './target-dead-mans-switch.ts'
import { openTargetDrill, type TargetDrillContext } from './target-drill-context.ts'
import type { RunTargetDrillOptions } from './target-drill-options.ts'
import { loopMayFollow, targetFollowUpPhase } from './target-follow-up-phase.ts'
import { startTargetPaging } from './target-paging.ts'
import { aimAtDependency, checkUntouched, targetPreflightPhase } from './target-preflight-phase.ts'
import { notPaged, targetReleasePhase, waitForPage } from './target-release-phase.ts'
import { targetRespondPhase } from './target-respond-phase.ts'
import { steadyStateWithoutPage, targetSteadyStateAfter } from './target-steady-state-phases.ts'
import { startTargetWatching } from './target-watch.ts'

export type { RunTargetDrillOptions }

/**
 * A target drill once preflight holds, as a table of phases run by the built-in drill's runner: each row enters
 * its phase (a row without a name goes on in the phase above it), runs, and a failure or a stop condition aborts
 * the drill; only the rows marked `always` run after that.
 */
export const TARGET_DRILL_PHASES: readonly DrillPhaseStep<TargetDrillContext>[] = [
  // Still preflight: the change is dark (or the dependency healthy), then the dead man's switch before any change.
  { run: checkUntouched },
  { run: armDeadMansSwitch },
  // Still preflight: the pager, detection, the traffic and the team's alerts watch the target from here on.
  { run: startTargetPaging },
  { run: startTargetWatching },
  { name: 'steady-state-before', run: steadyStateBefore },
  { name: 'release', run: targetReleasePhase },
  // Nobody paged by the release's end: the steady state tells a sound change from alerting that missed it.
  { name: 'steady-state-after', when: notPaged, run: steadyStateWithoutPage },
  // Still in the phase above: the page.
  { run: waitForPage },
  { name: 'respond', run: targetRespondPhase },
  { name: 'recover', run: recoverPhase },
  { name: 'steady-state-after', run: targetSteadyStateAfter },
  // Whatever happened: the abort as cleanup finds it, cleanup, then the loop on the team's repository.
  { always: true, run: keepAbort },
  { name: 'cleanup', always: true, run: targetCleanUpPhase },
  { always: true, when: loopMayFollow, run: targetFollowUpPhase },
]

/**
 * A drill on a service firedrill did not start: preflight against the live service (nothing changes if a check
 * fails), its traffic, the steady state, the team's dark change released by its flag in canary steps (under a dead
 * man's switch that turns the flag off if the drill dies), detection by firedrill's evaluator or by the team's own
 * alerting through its Alertmanager, the page (journalled, sent on to PagerDuty and webhooks as a drill), the
 * responder (the bot, or the team's engineer on call with the team's own tools) turning the flag off, recovery and
 * the steady state again, and the flag put back whatever happened.
 * Every step is a journal event, so `firedrill report` rebuilds the timings and the postmortem.
 */
export async function runTargetDrill(options: RunTargetDrillOptions): Promise<DrillOutcome> {
  const drill = await openTargetDrill(options)
  // Preflight: nothing has changed yet; a failed check ends the drill here.
  await targetPreflightPhase(drill)
  aimAtDependency(drill)
  await runPhases(TARGET_DRILL_PHASES, drill)
  return finishTargetDrill(drill)
}
