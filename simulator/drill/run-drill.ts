import { cleanUpPhase } from './cleanup-phase.ts'
import {
  changeNotReleased,
  deployDark,
  limitProviderCapacity,
  providerReady,
  serviceHealthy,
} from './deploy-phase.ts'
import { type DrillContext, openDrill } from './drill-context.ts'
import type { DrillOutcome, RunDrillOptions } from './drill-options.ts'
import { type DrillPhaseStep, runPhases } from './drill-phases.ts'
import { quietDown, startWatching } from './drill-watch.ts'
import { finishDrill } from './finish-drill.ts'
import { followUpPhase, loopToClose, loopTurnedOff, skipFollowUp } from './follow-up-phase.ts'
import { preflightPhase } from './preflight-phase.ts'
import { releasePhase } from './release-phase.ts'
import { hadIncident, recoverPhase, respondPhase } from './respond-phase.ts'
import { steadyStateAfter, steadyStateBefore } from './steady-state-phases.ts'
import { takeLease } from './take-lease.ts'

/**
 * The drill once preflight holds, as a table of phases (README, "A drill goes through these phases"). Each row
 * enters its phase (a row without a name goes on in the phase above it), checks its entry, runs, and checks its
 * exit; a failed check or a stop condition aborts the drill, and only the rows marked `always` run after that.
 */
export const DRILL_PHASES: readonly DrillPhaseStep<DrillContext>[] = [
  // Still preflight: nothing changes in the shop until the drill holds its lease.
  { run: takeLease },
  {
    name: 'deploy',
    run: deployDark,
    exit: [serviceHealthy, changeNotReleased, providerReady],
  },
  { when: (drill) => drill.retryStorm !== undefined, run: limitProviderCapacity },
  // Still deploy: the status page, the pager, decoys, detection and traffic watch the shop from here on.
  { run: startWatching },
  { name: 'steady-state-before', run: steadyStateBefore },
  { name: 'release', run: releasePhase },
  { name: 'respond', when: hadIncident, run: respondPhase },
  { name: 'recover', when: hadIncident, run: recoverPhase },
  { name: 'steady-state-after', run: steadyStateAfter },
  // Whatever happened, in the phase the drill ended in: stop what could still change the shop during cleanup.
  { always: true, run: quietDown },
  { name: 'cleanup', always: true, run: cleanUpPhase },
  { name: 'follow-up', always: true, when: loopToClose, run: followUpPhase },
  { always: true, when: loopTurnedOff, run: skipFollowUp },
]

/**
 * One whole drill: preflight, deploy the bad change dark, steady state, release in canary steps, detect with
 * burn-rate alerts, page, respond, recover, steady state again, and put everything back. Every step is a journal
 * event; every phase starts only when the previous phase's exit check holds. Stop conditions (error budget,
 * duration, Ctrl-C) abort the drill and put everything back the same way.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillOutcome> {
  const drill = await openDrill(options)
  // Preflight: nothing has changed yet; a failed check or a refused plan ends the drill here.
  const refused = await preflightPhase(drill)
  if (refused !== undefined) return refused
  await runPhases(DRILL_PHASES, drill)
  return finishDrill(drill)
}
