import { parseDuration } from '../../record/scenario/duration.ts'
import { createAlertGrouper, formatLabels } from '../detection/alert-grouper.ts'
import { createPromqlScraper } from '../detection/create-promql-scraper.ts'
import { startPrometheusAlertPoller } from '../detection/prometheus-alert-poller.ts'
import { targetSliNames } from '../detection/rules/target-sli-names.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import { startTemplateTraffic } from '../traffic/start-template-traffic.ts'
import { createDrillDetection, type DrillDetection } from './drill-detection.ts'
import { trackRecovery } from './drill-run-control.ts'
import { trippedStopCondition } from './drill-safety.ts'
import type { TargetDrillContext } from './target-drill-context.ts'
import { journalTemplateTraffic } from './template-traffic-intervals.ts'

/**
 * What watches the target from before the steady state: detection on every evaluation of its SLIs (with the
 * stop conditions and the recovery watch), the target's template traffic, journalled as `traffic.started`, and,
 * when the team's Prometheus detects, its alerts read for the pager.
 */
export async function startTargetWatching(drill: TargetDrillContext): Promise<void> {
  // Recovery is judged on the paging rule's short window, once the mitigation is in.
  drill.recovery = trackRecovery({ scenario: drill.scenario, journal: drill.journal, track: drill.track })
  const detection = targetDetection(drill)
  drill.detection = detection
  await startTargetTraffic(drill)
  detection.start()
  if (drill.detectionSource.kind === 'prometheus') readTeamAlerts(drill, detection, drill.detectionSource)
}

/** Detection on the target's SLIs: its instances' metrics scraped, or the team's Prometheus queried. */
function targetDetection(drill: TargetDrillContext): DrillDetection {
  const { scenario, clock, journal, target, track } = drill
  const recovery = drill.recovery!
  const slis = target.target.slis
  const names = targetSliNames(target.target)
  return createDrillDetection({
    scenario,
    clock,
    targets: slis.kind === 'metrics' ? target.instances.map((base) => `${base}${slis.path}`) : [],
    journal,
    runId: drill.runId,
    pagerUrl: drill.paging!.url,
    externalURL: target.instances[0]!,
    track,
    say: drill.say,
    ...(names === undefined ? {} : { names }),
    alerting: drill.detectionSource.kind === 'firedrill',
    // SLIs in PromQL: the team's Prometheus is queried instead of the instances scraped.
    ...(slis.kind === 'prometheus'
      ? {
          scraper: ({ intervalMs, clock: c, slos, onScrape }) =>
            createPromqlScraper({
              url: slis.url,
              errors: slis.errors,
              total: slis.total,
              intervalMs,
              clock: c,
              slo: slos[0]!,
              onScrape,
            }),
        }
      : {}),
    onEvaluated: (at, short) => {
      recovery.observe(at, short)
      const tripped = trippedStopCondition(journal.events, scenario, clock.now() - drill.startedAt)
      if (tripped !== null) drill.run.stop(tripped.reason, tripped.condition)
    },
  })
}

/** The target's template traffic (none when the team brings its own), journalled each second from the start. */
async function startTargetTraffic(drill: TargetDrillContext): Promise<void> {
  const template = drill.target.target.traffic
  if (template?.kind !== 'template') return
  const { clock, journal, seed } = drill
  const traffic = startTemplateTraffic({
    targets: drill.target.instances,
    ratePerSecond: template.ratePerSecond,
    request: template.request,
    seed,
    timeoutMs: 5000,
    clock,
  })
  drill.traffic = traffic
  await journal.append({ type: 'traffic.started', data: { ratePerSecond: template.ratePerSecond, seed } })
  drill.intervals = journalTemplateTraffic({
    run: traffic,
    clock,
    journal,
    track: drill.track,
    released: () => drill.released,
    route: template.request.path,
  })
}

/** The team's Prometheus alerts, read as its Alertmanager would get them, grouped as the scenario says. */
function readTeamAlerts(
  drill: TargetDrillContext,
  detection: DrillDetection,
  source: Extract<TargetDrillContext['detectionSource'], { kind: 'prometheus' }>,
): void {
  const { clock, track } = drill
  const { grouping } = detection.settings
  const paging = drill.paging!
  const grouper = createAlertGrouper({
    clock,
    groupBy: grouping.groupBy,
    groupWaitMs: grouping.groupWaitMs,
    groupIntervalMs: grouping.groupIntervalMs,
    repeatIntervalMs: grouping.repeatIntervalMs,
    route: `{}/${formatLabels({ drill_run: drill.runId })}`,
    receiver: 'firedrill-pager',
    externalURL: source.url,
    send: (notification) => sendWebhook(paging.url, notification),
    onError: (err) => track(Promise.reject(err)),
  })
  const poller = startPrometheusAlertPoller({
    url: source.url,
    intervalMs: parseDuration(source.pollInterval),
    since: drill.startedAt,
    clock,
    grouper,
    onError: (err) => drill.say(`could not read ${source.url}'s alerts: ${(err as Error).message}`),
  })
  drill.alerting = {
    stop: async () => {
      await poller.stop()
      await grouper.stop()
    },
  }
}
