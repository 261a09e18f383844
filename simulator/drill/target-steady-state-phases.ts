import { DrillAborted } from './drill-run-control.ts'
import { steadyState } from './steady-state-phases.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/**
 * The steady state after a release that held with nobody paged: either the change is sound, or the SLO burned
 * unseen; the steady state with the change on for everyone tells which. The drill then ends (`no-page`), unless
 * the page came meanwhile.
 */
export async function steadyStateWithoutPage(drill: TargetDrillContext): Promise<void> {
  const held = await steadyState(drill, 'after')
  const last = drill.scenario.release.steps.at(-1)?.percent
  if (drill.paging!.isPaged()) return
  const { flag } = drill
  throw new DrillAborted(
    drill.dependencyDrill?.noPage(held, last) ??
      (held
        ? `no page: ${flag} reached ${last}% of traffic and the steady state held, so there was no incident to respond to`
        : `no page: ${flag} reached ${last}% of traffic and the steady state did NOT hold, yet nothing paged: the alerting missed it`),
    'no-page',
  )
}

/** The steady state after recovery, which decides the outcome: recovered or not. */
export async function targetSteadyStateAfter(drill: TargetDrillContext): Promise<void> {
  drill.status = (await steadyState(drill, 'after')) ? 'recovered' : 'not-recovered'
}
