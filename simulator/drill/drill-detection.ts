import type { Clock } from '../clock/clock.ts'
import { toAlertmanagerWebhook } from '../detection/alertmanager-webhook.ts'
import type { BurnRateRule } from '../detection/burn-rate-rule.ts'
import {
  type BurnRateEvaluator,
  type BurnRateEvent,
  createBurnRateEvaluator,
} from '../detection/create-burn-rate-evaluator.ts'
import { createScraper, type Scraper } from '../detection/create-scraper.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import { scaleDuration } from '../scenario/duration.ts'
import type { ValidScenario } from '../scenario/parse-scenario.ts'
import type { DrillJournal } from './drill-journal.ts'

export interface DrillDetectionOptions {
  scenario: ValidScenario
  clock: Clock
  /** The api instances' base URLs; each is scraped at `/metrics`. */
  targets: readonly string[]
  journal: DrillJournal
  /** Where firing alerts are POSTed, in Alertmanager's webhook shape. */
  pagerUrl: string
  externalURL: string
  /** Runs a background task; its failure aborts the drill. */
  track(task: Promise<unknown>): void
  say(line: string): void
  /** After each evaluation, with the paging rule's short-window error ratio (null: no data). */
  onEvaluated(at: number, shortRatio: number | null): void
}

export interface DrillDetection {
  scraper: Scraper
  evaluator: BurnRateEvaluator
  /** The rule whose short window decides recovery (the first paging rule). */
  pageRule: BurnRateRule
  lastShortRatio(): number | null
  start(): void
  stop(): Promise<void>
}

/**
 * What a team's Prometheus and Alertmanager would do, for the drill: scrape every api instance's own metrics,
 * evaluate the scenario's burn-rate rules (windows scaled by its time scale), journal every evaluation and
 * every firing or resolved alert, and send firing alerts to the pager as Alertmanager webhooks.
 */
export function createDrillDetection(options: DrillDetectionOptions): DrillDetection {
  const { scenario, clock, journal, track, say } = options
  const rules: BurnRateRule[] = scenario.detection.rules.map((r) => ({
    name: r.name,
    severity: r.severity,
    longWindowMs: scaleDuration(r.longWindow, scenario.timeScale),
    shortWindowMs: scaleDuration(r.shortWindow, scenario.timeScale),
    burnRate: r.burnRate,
  }))
  const windowsOf = new Map(scenario.detection.rules.map((r) => [r.name, r]))
  const pageRule = rules.find((r) => r.severity === 'page') ?? rules[0]!
  let lastShortRatio: number | null = null

  const onEvent = (event: BurnRateEvent) => {
    if (event.type === 'evaluated') {
      for (const r of event.rules) {
        const w = windowsOf.get(r.rule)
        const errorRatios: Record<string, number> = {}
        const burnRates: Record<string, number> = {}
        if (w && r.long.errorRatio !== null) errorRatios[w.longWindow] = r.long.errorRatio
        if (w && r.short.errorRatio !== null) errorRatios[w.shortWindow] = r.short.errorRatio
        if (w && r.long.burnRate !== null) burnRates[w.longWindow] = r.long.burnRate
        if (w && r.short.burnRate !== null) burnRates[w.shortWindow] = r.short.burnRate
        track(journal.append({ type: 'sli.evaluated', data: { rule: r.rule, errorRatios, burnRates } }))
        if (r.rule === pageRule.name) lastShortRatio = r.short.errorRatio
      }
      options.onEvaluated(event.at, lastShortRatio)
      return
    }
    const { rule, evidence } = event.alert
    if (event.type === 'resolved') {
      track(journal.append({ type: 'alert.resolved', data: { alert: rule.name } }))
      return
    }
    const w = windowsOf.get(rule.name)
    track(
      (async () => {
        await journal.append({
          type: 'alert.fired',
          data: {
            alert: rule.name,
            severity: rule.severity === 'ticket' ? 'ticket' : 'page',
            burnRates: { long: evidence.long.burnRate ?? 0, short: evidence.short.burnRate ?? 0 },
            threshold: rule.burnRate,
            windows: {
              long: w?.longWindow ?? `${evidence.long.windowMs}ms`,
              short: w?.shortWindow ?? `${evidence.short.windowMs}ms`,
            },
          },
        })
        say(
          `ALERT ${rule.name}: burn ${(evidence.long.burnRate ?? 0).toFixed(1)}x / ${(evidence.short.burnRate ?? 0).toFixed(1)}x (threshold ${rule.burnRate}x)`,
        )
        await sendWebhook(
          options.pagerUrl,
          toAlertmanagerWebhook(event.alert, {
            receiver: 'firedrill-pager',
            externalURL: options.externalURL,
          }),
        )
      })(),
    )
  }

  const scraper = createScraper({
    targets: options.targets,
    intervalMs: scenario.detection.scrapeIntervalMs,
    clock,
  })
  const evaluator = createBurnRateEvaluator({
    objective: scenario.slo.objective,
    rules,
    evaluationIntervalMs: scenario.detection.evaluationIntervalMs,
    clock,
    source: scraper,
    onEvent,
  })
  return {
    scraper,
    evaluator,
    pageRule,
    lastShortRatio: () => lastShortRatio,
    start() {
      scraper.start()
      evaluator.start()
    },
    async stop() {
      await evaluator.stop().catch(() => {})
      await scraper.stop().catch(() => {})
    },
  }
}
