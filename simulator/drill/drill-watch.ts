import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { scheduleDecoys } from './decoys.ts'
import { DeploysHttpClient } from './deploys-api.ts'
import type { DrillContext } from './drill-context.ts'
import { createDrillDetection } from './drill-detection.ts'
import { startDrillPaging } from './drill-paging.ts'
import { trackRecovery } from './drill-run-control.ts'
import { trippedStopCondition } from './drill-safety.ts'
import { startDrillTraffic } from './drill-traffic.ts'
import { startProviderStatusPage } from './provider-status-page.ts'
import { botResponder } from './responders/bot-responder.ts'
import { humanResponder } from './responders/human-responder.ts'
import { readWorkerCounters } from './responders/worker-dashboard.ts'

/**
 * What watches the deployed shop from before the steady state: the provider's status page, the pager and its
 * responder, the decoys, detection on every scrape (with the stop conditions and the recovery watch) and the
 * seeded traffic, journalled as `traffic.started`; then a live progress line every 2 s.
 */
export async function startWatching(drill: DrillContext): Promise<void> {
  const { options, scenario, journal, clock, say, track, runId } = drill
  const shop = drill.deployed!.shop
  const deploysApi = drill.deploysApi!
  const flags = drill.flags!
  // The payment provider's public status page, as anyone (a bot or a person) can read it.
  const statusPage = startProviderStatusPage({
    store: new RedisFaultModeStore(drill.control!, drill.prefix),
    clock,
  })
  drill.providerPage = statusPage
  const paging = await startDrillPaging({
    responder:
      options.respondWith ??
      (drill.responderKind === 'human'
        ? humanResponder(options.human)
        : botResponder(scenario.responder.ackDelaySeconds * 1000)),
    journal,
    flagsUrl: shop.flagsUrl,
    token: drill.token,
    deploys: {
      url: deploysApi.url,
      client: new DeploysHttpClient({ baseUrl: deploysApi.url, token: drill.token }),
    },
    provider: () => statusPage.read(),
    ...(shop.workerMetricsUrls.length === 0
      ? {}
      : { workers: () => readWorkerCounters(shop.workerMetricsUrls) }),
    clock,
    signal: drill.signal,
    track,
    say,
    runId,
    scenario: drill.loaded.name,
    pageSeverities: scenario.detection.pageSeverities,
    destinations: drill.pageDestinations,
  })
  drill.paging = paging

  // Decoys: harmless flag changes by other people, after the release starts or after the page.
  const decoys = scheduleDecoys({ decoys: scenario.decoys, flags, journal, clock, say, track })
  drill.decoys = decoys
  // Not tracked: a drill that is never paged must not wait on it at cleanup.
  paging.paged.then(
    () => decoys.start('page'),
    () => {},
  )

  // Recovery is judged on the paging rule's short window, once the flag is off: every SLO burning under 1×.
  const recovery = trackRecovery({ scenario, journal, track })
  drill.recovery = recovery
  const checkStopConditions = () => {
    const tripped = trippedStopCondition(journal.events, scenario, clock.now() - drill.startedAt)
    if (tripped !== null) drill.run.stop(tripped.reason, tripped.condition)
  }

  // Detection runs from the first request: the services' own metrics, scraped like a team's Prometheus.
  const detection = createDrillDetection({
    scenario,
    clock,
    // Read before every scrape: workers rolled onto a new build answer on new ports.
    targets: () => [...shop.apiUrls, ...shop.workerMetricsUrls],
    journal,
    runId,
    pagerUrl: paging.url,
    externalURL: options.consoleUrl ?? shop.flagsUrl,
    track,
    say,
    onEvaluated: (at, short) => {
      recovery.observe(at, short)
      checkStopConditions()
    },
  })
  drill.detection = detection
  drill.traffic = startDrillTraffic({
    scenario,
    seed: drill.seed,
    clock,
    targets: shop.apiUrls,
    live: shop.liveUrls,
    journal,
    track,
    released: () => drill.released,
  })
  await journal.append({
    type: 'traffic.started',
    data: { ratePerSecond: scenario.traffic.ratePerSecond, seed: drill.seed },
  })
  detection.start()

  const live = setInterval(() => {
    const ratio = detection.lastShortRatio() ?? null
    const shown = ratio === null ? 'no data' : `${(ratio * 100).toFixed(1)}%`
    say(`${drill.run.phase()}: error ratio (${detection.pageRule.name} short window) ${shown}`)
  }, 2000)
  live.unref()
  drill.live = live
}

/**
 * Before cleanup, whatever happened: the live progress line stops, the abort (if any) is on disk and kept as
 * cleanup found it, decoys not yet made are cancelled and the provider's status page stops.
 */
export async function quietDown(drill: DrillContext): Promise<void> {
  clearInterval(drill.live)
  await drill.run.abortJournalled()
  drill.abort = drill.run.aborted()
  drill.decoys?.cancel()
  drill.providerPage?.stop()
}
