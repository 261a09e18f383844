import type { Clock } from '../../record/clock/clock.ts'
import { startTicker, type Ticker } from '../../record/clock/start-ticker.ts'
import { DetectionOptionsInvalidError } from './errors.ts'
import { type PromSample, parsePrometheusText } from './parse-prometheus-text.ts'
import { matchesSelector, type SeriesSelector, seriesKey } from './series-selector.ts'
import { ordersAvailabilitySlo } from './shop-slis.ts'
import type { Slo } from './sli-definition.ts'
import type { SliCounts, SliSample, SliSeriesSource } from './sli-sample.ts'

export interface ScraperOptions {
  /**
   * The instances: a base URL is scraped at `<base>/metrics`; a URL whose path already ends in `/metrics` (a
   * worker's metrics endpoint) as it is. A function is read before every scrape (workers rolled onto a new
   * build answer on new ports): a target that goes stops adding, and one that comes counts from its first scrape.
   */
  targets: readonly string[] | (() => readonly string[])
  intervalMs: number
  clock: Clock
  /** @defaultValue the global fetch */
  fetch?: typeof fetch
  /** Real-time budget of one scrape. @defaultValue 2000 */
  timeoutMs?: number
  /**
   * The SLOs whose SLI series are kept; the first is the primary one, whose series `series()` gives.
   * @defaultValue [ordersAvailabilitySlo] (`http_requests_total`, POST /orders, bad = 5xx)
   */
  slos?: readonly Slo[]
  /** Called after every scrape, in order. */
  onScrape?: (tick: ScrapeTick) => void
}

/** What one target gave in one scrape. Counts are the primary SLI's increase from that target (0 when down). */
export interface TargetScrape {
  target: string
  up: 0 | 1
  total: number
  bad: number
  /** A counter went down or vanished since the last scrape: the instance restarted, all its counts are new. */
  reset: boolean
  error?: string
}

/** One scrape: the primary SLI's cumulative counts (t, total, bad), every SLO's, and each target's. */
export interface ScrapeTick extends SliSample {
  slis: Record<string, SliCounts>
  targets: TargetScrape[]
}

export interface Scraper extends SliSeriesSource {
  /** Scrapes now, then every intervalMs of the clock (missed ticks are skipped, not queued). */
  start(): void
  /** Stops the schedule and waits for a scrape in progress; rethrows the first error an onScrape callback threw. */
  stop(): Promise<void>
  /** One scrape of every target, now (serialized with the schedule's scrapes). */
  scrapeOnce(): Promise<ScrapeTick>
  ticks(): readonly ScrapeTick[]
  /** One SLO's cumulative series (its name as in `slos`). */
  seriesOf(slo: string): SliSeriesSource
  readonly slos: readonly Slo[]
}

/**
 * Scrapes every target's metrics and adds, for each SLO, the increases of its SLI's counters over every
 * target into one cumulative (total, bad) series. A counter lower than its last value, or gone, means the
 * instance restarted: its new values are all increase, as Prometheus `increase()` counts a reset, and since a
 * restart resets every counter of the instance, that holds for all of its counters, not just the one that went
 * down. A target that fails a scrape is reported with up=0 and its last values are carried, so it adds nothing
 * until it answers again. A target that does not expose an SLI's metrics adds nothing to it.
 */
export function createScraper(options: ScraperOptions): Scraper {
  const { intervalMs, clock } = options
  const targets =
    typeof options.targets === 'function' ? options.targets : () => options.targets as readonly string[]
  if (targets().length === 0)
    throw new DetectionOptionsInvalidError('scrape targets', 'must list at least one base URL')
  if (!(intervalMs > 0))
    throw new DetectionOptionsInvalidError(
      'scrape intervalMs',
      `must be a positive number (got ${intervalMs})`,
    )
  const slos = options.slos ?? [ordersAvailabilitySlo]
  if (slos.length === 0) throw new DetectionOptionsInvalidError('slos', 'must list at least one SLO')
  const fetchImpl = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 2000
  const selectors: SeriesSelector[] = slos.flatMap((slo) => Object.values(slo.sli.events))
  const primary = slos[0]!.name

  const last = new Map<string, Map<string, number>>()
  const series = new Map<string, SliSample[]>(slos.map((slo) => [slo.name, []]))
  const ticks: ScrapeTick[] = []
  let cumulative: Record<string, SliCounts> = Object.fromEntries(
    slos.map((slo) => [slo.name, { total: 0, bad: 0 }]),
  )
  let queue: Promise<unknown> = Promise.resolve()
  let running: Ticker | null = null

  const scrapeTarget = async (
    target: string,
  ): Promise<{ scrape: TargetScrape; increases: Record<string, SliCounts> }> => {
    const none = Object.fromEntries(slos.map((slo) => [slo.name, { total: 0, bad: 0 }]))
    try {
      const response = await fetchImpl(metricsUrl(target), { signal: AbortSignal.timeout(timeoutMs) })
      const text = await response.text()
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const samples = parsePrometheusText(text).filter((s) =>
        selectors.some((sel) => matchesSelector(s, sel)),
      )
      const current = new Map(samples.map((s) => [seriesKey(s), s.value]))
      const previous = last.get(target)
      last.set(target, current)
      // A restart resets every counter of the instance at once: one counter that went down, or one that
      // vanished, means all of them start again from zero (even those that are back at their old value).
      const reset =
        previous !== undefined &&
        [...previous].some(([key, before]) => (current.get(key) ?? Number.NEGATIVE_INFINITY) < before)
      const increase = (sample: PromSample) => {
        // A target's first scrape is its baseline.
        const before =
          previous === undefined ? sample.value : reset ? 0 : (previous.get(seriesKey(sample)) ?? 0)
        return sample.value - before
      }
      const sum = (selector: SeriesSelector) =>
        samples.reduce((acc, s) => (matchesSelector(s, selector) ? acc + increase(s) : acc), 0)
      const increases: Record<string, SliCounts> = {}
      for (const slo of slos) {
        const { events } = slo.sli
        const total = sum(events.total)
        const bad = 'bad' in events ? sum(events.bad) : total - sum(events.good)
        increases[slo.name] = { total, bad }
      }
      const mine = increases[primary]!
      return { scrape: { target, up: 1, total: mine.total, bad: mine.bad, reset }, increases }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      return { scrape: { target, up: 0, total: 0, bad: 0, reset: false, error }, increases: none }
    }
  }

  const scrape = async (): Promise<ScrapeTick> => {
    const t = clock.now()
    const results = await Promise.all(targets().map(scrapeTarget))
    const next: Record<string, SliCounts> = {}
    for (const slo of slos) {
      const before = cumulative[slo.name]!
      next[slo.name] = {
        total: before.total + results.reduce((acc, r) => acc + r.increases[slo.name]!.total, 0),
        bad: before.bad + results.reduce((acc, r) => acc + r.increases[slo.name]!.bad, 0),
      }
      series.get(slo.name)!.push({ t, ...next[slo.name]! })
    }
    cumulative = next
    const tick: ScrapeTick = {
      t,
      ...next[primary]!,
      slis: next,
      targets: results.map((r) => r.scrape),
    }
    ticks.push(tick)
    options.onScrape?.(tick)
    return tick
  }

  const scrapeOnce = (): Promise<ScrapeTick> => {
    const next = queue.then(scrape)
    queue = next.catch(() => undefined)
    return next
  }

  return {
    slos,
    scrapeOnce,
    series: () => series.get(primary)!,
    seriesOf(slo) {
      const found = series.get(slo)
      if (found === undefined)
        throw new DetectionOptionsInvalidError('slo', `names no SLO the scraper keeps (got "${slo}")`)
      return { series: () => found }
    },
    ticks: () => ticks,
    start() {
      running ??= startTicker(clock, intervalMs, () => scrapeOnce())
    },
    async stop() {
      const ticker = running
      running = null
      await ticker?.stop()
    },
  }
}

/** `<base>/metrics`, unless the URL's path already ends in `/metrics`. */
export function metricsUrl(target: string): string {
  const trimmed = target.replace(/\/+$/, '')
  return /\/metrics$/.test(new URL(trimmed).pathname) ? trimmed : `${trimmed}/metrics`
}
