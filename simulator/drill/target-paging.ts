import { pagerListen } from '../../record/target/pager-listen.ts'
import { pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import { type DrillPaging, startDrillPaging } from './drill-paging.ts'
import { DrillAborted } from './drill-run-control.ts'
import { humanResponder } from './responders/human-responder.ts'
import type { Responder } from './responders/responder.ts'
import { targetBotResponder } from './responders/target-bot-responder.ts'
import { targetLevers } from './responders/target-levers.ts'
import type { TargetDrillContext } from './target-drill-context.ts'

/** A human responder on a team's own service: the engineer on call, whoever that is. */
export const ON_CALL = 'on-call'

/**
 * The drill's pager and its responder: where alerts are sent (on the address the team's Alertmanager posts to,
 * when it detects), and who answers the first page. A pager that cannot listen aborts the drill.
 */
export async function startTargetPaging(drill: TargetDrillContext): Promise<void> {
  const { detectionSource, target, scenario } = drill
  const listen = detectionSource.kind === 'alertmanager' ? pagerListen(detectionSource.listen) : undefined
  let paging: DrillPaging
  try {
    paging = await startDrillPaging({
      responder: responderOf(drill),
      journal: drill.journal,
      flagsUrl: target.target.flags.source.kind === 'firedrill' ? target.target.flags.source.url : '',
      token: '',
      clock: drill.clock,
      signal: drill.signal,
      track: drill.track,
      say: drill.say,
      runId: drill.runId,
      scenario: drill.loaded.name,
      pageSeverities:
        detectionSource.kind !== 'firedrill'
          ? detectionSource.pageSeverities
          : scenario.detection.pageSeverities,
      destinations: drill.options.pageDestinations ?? pageDestinationsFromEnv(drill.env),
      ...(listen === undefined ? {} : { listen }),
    })
  } catch (err) {
    throw new DrillAborted(
      `the pager could not listen on ${detectionSource.kind === 'alertmanager' ? detectionSource.listen : 'loopback'} (detection.listen): ${(err as Error).message}`,
      'error',
    )
  }
  drill.paging = paging
  if (detectionSource.kind === 'alertmanager')
    drill.say(`pager listening at ${paging.url}: the team's Alertmanager webhook receiver posts there`)
}

/**
 * Who answers the page: the engineer on call (shown the page and the target's levers), or the bot: the
 * dependency's (it throws the degrade switch) or the change's (it turns the flag off).
 */
function responderOf(drill: TargetDrillContext): Responder {
  const { options, target, scenario, journal } = drill
  if (drill.responderKind === 'human')
    return humanResponder({ ...options.human, name: ON_CALL, levers: () => targetLevers(target) })
  const ackDelayMs = scenario.responder.ackDelaySeconds * 1000
  return (
    drill.dependencyDrill?.responder(ackDelayMs) ??
    targetBotResponder({
      control: drill.control,
      ackDelayMs,
      events: journal.events,
      turnedOff: (data) => journal.append({ type: 'flag.changed', data }),
    })
  )
}
