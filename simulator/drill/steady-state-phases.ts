import type { DrillContext } from './drill-context.ts'
import { checkSteadyState } from './drill-run-control.ts'

/** What a steady-state check needs of a drill (the built-in shop's, or a target's). */
export type SteadyStateDrill = Pick<
  DrillContext,
  'scenario' | 'clock' | 'signal' | 'journal' | 'say' | 'detection'
>

/** The steady-state hypothesis over the drill's traffic, journalled and said; `before` aborts when it fails. */
export function steadyState(drill: SteadyStateDrill, when: 'before' | 'after'): Promise<boolean> {
  const { scenario, clock, signal, journal, say } = drill
  return checkSteadyState({ when, scenario, clock, signal, scraper: drill.detection!.scraper, journal, say })
}

/** Steady state before: the hypothesis must hold before anything is released (else the drill aborts). */
export async function steadyStateBefore(drill: SteadyStateDrill): Promise<void> {
  await steadyState(drill, 'before')
}

/**
 * Steady state after, which decides the outcome: after an incident, recovered or not; after a release that
 * caused none (the change refused, rolled back at deploy or by the post-deploy watch, or the provider's fault
 * absorbed), prevented or not.
 */
export async function steadyStateAfter(drill: DrillContext): Promise<void> {
  const holds = await steadyState(drill, 'after')
  const incident = drill.incident!
  if (incident.page !== null) {
    drill.status = holds ? 'recovered' : 'not-recovered'
    return
  }
  drill.status = holds ? 'prevented' : 'not-recovered'
  drill.say(
    drill.status !== 'prevented'
      ? 'the steady state did not hold'
      : incident.absorbed
        ? 'no incident: the shop degraded by itself while the provider failed, and nobody was paged'
        : incident.caught
          ? 'no incident: the post-deploy watch rolled the deploy back'
          : 'no incident: the change was stopped before production',
  )
}
