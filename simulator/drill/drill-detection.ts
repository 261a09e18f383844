import type { Clock } from '../../record/clock/clock.ts'
import { startTicker, type Ticker } from '../../record/clock/start-ticker.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import { type AlertGrouper, createAlertGrouper, formatLabels } from '../detection/alert-grouper.ts'
import { alertmanagerAlertOf } from '../detection/alertmanager-webhook.ts'
import {
  type BurnRateAlert,
  type BurnRateEvaluator,
  type BurnRateEvent,
  createBurnRateEvaluator,
  type RuleEvaluation,
} from '../detection/create-burn-rate-evaluator.ts'
import { createScraper, type Scraper, type ScrapeTick } from '../detection/create-scraper.ts'
import {
  type DetectionSettings,
  detectionSettingsOf,
  type ScaledRule,
} from '../detection/scenario-detection.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import type { SliMetricNames } from '../detection/shop-slis.ts'
import type { Slo } from '../detection/sli-definition.ts'
import type { DrillJournal } from './drill-journal.ts'

export interface DrillDetectionOptions {
  scenario: ValidScenario
  clock: Clock
  /**
   * Every instance's metrics: the api instances' base URLs and the workers' `/metrics` URLs; a function is read
   * before every scrape.
   */
  targets: readonly string[] | (() => readonly string[])
  journal: DrillJournal
  /** The drill's run: its alerts carry it (`drill_run`), so their groups and dedup keys are this run's own. */
  runId: string
  /** Where alert groups are POSTed, in Alertmanager's webhook shape. */
  pagerUrl: string
  externalURL: string
  /** Runs a background task; its failure aborts the drill. */
  track(task: Promise<unknown>): void
  say(line: string): void
  /**
   * After each round of evaluations, with the page rule's short window on the SLO burning fastest there (null:
   * some SLO had no data, so nothing can be said to be healthy).
   */
  onEvaluated(at: number, short: { errorRatio: number | null; burnRate: number | null }): void
  /** The SLIs' metric and label names. @defaultValue the built-in shop's */
  names?: SliMetricNames
  /**
   * Whether this detection alerts (journals alert transitions and sends groups to the pager). Without it, the
   * SLIs are still scraped and evaluated, for the steady state and recovery, while someone else's alerting
   * detects. @defaultValue true
   */
  alerting?: boolean
  /** Makes the SLI source. @defaultValue a scraper of every target's /metrics */
  scraper?: (wiring: {
    intervalMs: number
    clock: Clock
    slos: readonly Slo[]
    onScrape(tick: ScrapeTick): void
  }) => Scraper
}

export interface DrillDetection {
  scraper: Scraper
  evaluators: readonly BurnRateEvaluator[]
  settings: DetectionSettings
  /** The rule whose short window decides recovery (the first rule of a paging severity). */
  pageRule: ScaledRule
  /** The page rule's short-window error ratio on the primary SLO at the last evaluation. */
  lastShortRatio(): number | null
  start(): void
  stop(): Promise<void>
}

/**
 * What a team's Prometheus and Alertmanager would do, for the drill: scrape every instance's own metrics (api
 * and workers), keep each SLO's SLI series (journalled, for replay), evaluate the scenario's burn-rate rules on
 * every SLO (windows scaled by its time scale; an alert is held `keepFiringFor` after its condition clears),
 * journal every evaluation and every alert transition, and group alerts into Alertmanager notifications
 * (`group_wait`, `group_interval`, `repeat_interval`) sent to the pager: one page per incident.
 */
export function createDrillDetection(options: DrillDetectionOptions): DrillDetection {
  const { scenario, clock, journal, track, say } = options
  const settings = detectionSettingsOf(scenario, options.names)
  const alerting = options.alerting ?? true
  const { rules, slos, keepFiringForMs } = settings
  const pageSeverities = new Set(settings.pageSeverities)
  const pageRule = rules.find((r) => pageSeverities.has(r.severity)) ?? rules[0]!
  const ruleOf = new Map(rules.map((r) => [r.name, r]))
  const primary = slos[0]!.name
  let lastShortRatio: number | null = null
  let ticker: Ticker | null = null

  const grouper: AlertGrouper = createAlertGrouper({
    clock,
    groupBy: settings.grouping.groupBy,
    groupWaitMs: settings.grouping.groupWaitMs,
    groupIntervalMs: settings.grouping.groupIntervalMs,
    repeatIntervalMs: settings.grouping.repeatIntervalMs,
    route: `{}/${formatLabels({ drill_run: options.runId })}`,
    receiver: 'firedrill-pager',
    externalURL: options.externalURL,
    send: (notification) => sendWebhook(options.pagerUrl, notification),
    onError: (err) => track(Promise.reject(err)),
  })
  const toGrouper = (alert: BurnRateAlert) =>
    grouper.put(
      alertmanagerAlertOf(alert, {
        receiver: 'firedrill-pager',
        externalURL: options.externalURL,
        extraLabels: { drill_run: options.runId },
      }),
    )

  const journalEvaluation = (r: RuleEvaluation) => {
    const w = ruleOf.get(r.rule)
    const errorRatios: Record<string, number> = {}
    const burnRates: Record<string, number> = {}
    if (w && r.long.errorRatio !== null) errorRatios[w.longWindow] = r.long.errorRatio
    if (w && r.short.errorRatio !== null) errorRatios[w.shortWindow] = r.short.errorRatio
    if (w && r.long.burnRate !== null) burnRates[w.longWindow] = r.long.burnRate
    if (w && r.short.burnRate !== null) burnRates[w.shortWindow] = r.short.burnRate
    track(
      journal.append({
        type: 'sli.evaluated',
        data: {
          rule: r.rule,
          slo: r.slo,
          errorRatios,
          burnRates,
          conditionMet: r.conditionMet,
          state: r.state,
        },
      }),
    )
  }

  const onEvent = (event: BurnRateEvent) => {
    if (event.type === 'evaluated') {
      for (const r of event.rules) journalEvaluation(r)
      return
    }
    if (!alerting) return
    const { alert } = event
    const { rule, evidence, slo } = alert
    if (event.type === 'held') {
      const until = new Date((alert.heldSince ?? event.at) + keepFiringForMs).toISOString()
      track(journal.append({ type: 'alert.held', data: { alert: rule.name, slo, until } }))
      return
    }
    if (event.type === 'rearmed') {
      track(journal.append({ type: 'alert.rearmed', data: { alert: rule.name, slo } }))
      return
    }
    if (event.type === 'resolved') {
      track(journal.append({ type: 'alert.resolved', data: { alert: rule.name, slo } }))
      toGrouper(alert)
      return
    }
    const w = ruleOf.get(rule.name)
    const pages = pageSeverities.has(rule.severity)
    track(
      journal.append({
        type: 'alert.fired',
        data: {
          alert: rule.name,
          slo,
          severity: rule.severity,
          pages,
          burnRates: { long: evidence.long.burnRate ?? 0, short: evidence.short.burnRate ?? 0 },
          threshold: rule.burnRate,
          windows: {
            long: w?.longWindow ?? `${evidence.long.windowMs}ms`,
            short: w?.shortWindow ?? `${evidence.short.windowMs}ms`,
          },
        },
      }),
    )
    say(
      `ALERT ${rule.name} on ${slo}: burn ${(evidence.long.burnRate ?? 0).toFixed(1)}x / ${(evidence.short.burnRate ?? 0).toFixed(1)}x (threshold ${rule.burnRate}x)${pages ? '' : ` (severity ${rule.severity}: not paging)`}`,
    )
    toGrouper(alert)
  }

  const onScrape = (tick: ScrapeTick) => {
    track(
      journal.append({
        type: 'sli.sampled',
        data: {
          scrapedAt: new Date(tick.t).toISOString(),
          slis: tick.slis,
          up: tick.targets.filter((t) => t.up === 1).length,
          targets: tick.targets.length,
        },
      }),
    )
    if (settings.evaluateOnScrape && ticker !== null) evaluateAll(tick.t)
  }

  const scraper =
    options.scraper?.({ intervalMs: settings.scrapeIntervalMs, clock, slos, onScrape }) ??
    createScraper({
      targets: options.targets,
      intervalMs: settings.scrapeIntervalMs,
      clock,
      slos,
      onScrape,
    })
  const evaluators = slos.map((slo) =>
    createBurnRateEvaluator({
      objective: slo.objective,
      rules,
      evaluationIntervalMs: settings.evaluationIntervalMs,
      clock,
      source: scraper.seriesOf(slo.name),
      slo: slo.name,
      keepFiringForMs,
      onEvent,
    }),
  )

  function evaluateAll(at: number = clock.now()) {
    let worst: { errorRatio: number | null; burnRate: number | null } | null = null
    let missing = false
    for (const [i, evaluator] of evaluators.entries()) {
      const record = evaluator.evaluate(at).rules.find((r) => r.rule === pageRule.name)
      if (record === undefined) continue
      const { errorRatio, burnRate } = record.short
      if (slos[i]!.name === primary) lastShortRatio = errorRatio
      if (burnRate === null) missing = true
      else if (worst === null || burnRate > (worst.burnRate ?? 0)) worst = { errorRatio, burnRate }
    }
    options.onEvaluated(at, missing || worst === null ? { errorRatio: null, burnRate: null } : worst)
  }

  return {
    scraper,
    evaluators,
    settings,
    pageRule,
    lastShortRatio: () => lastShortRatio,
    start() {
      track(
        journal.append({
          type: 'detection.started',
          data: {
            slos: slos.map((s) => ({
              name: s.name,
              sli: s.sli.kind,
              description: s.sli.description,
              objective: s.objective,
            })),
            rules: rules.map((r) => ({ ...r })),
            targets: [...(typeof options.targets === 'function' ? options.targets() : options.targets)],
            scrapeIntervalMs: settings.scrapeIntervalMs,
            evaluationIntervalMs: settings.evaluationIntervalMs,
            evaluateOnScrape: settings.evaluateOnScrape,
            keepFiringForMs,
            grouping: settings.grouping,
            pageSeverities: settings.pageSeverities,
          },
        }),
      )
      // With evaluateOnScrape the scrapes drive the evaluations; the ticker only marks detection as running.
      ticker = settings.evaluateOnScrape
        ? { stop: async () => {} }
        : startTicker(clock, settings.evaluationIntervalMs, () => evaluateAll())
      scraper.start()
    },
    async stop() {
      const running = ticker
      ticker = null
      await running?.stop().catch(() => {})
      await scraper.stop().catch(() => {})
      await grouper.stop()
    },
  }
}
