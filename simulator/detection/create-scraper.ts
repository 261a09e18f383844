import type { Clock } from '../clock/clock.ts'
import { startTicker, type Ticker } from '../clock/start-ticker.ts'
import { DetectionOptionsInvalidError } from './errors.ts'
import { parsePrometheusText } from './parse-prometheus-text.ts'
import type { SliSample, SliSeriesSource } from './sli-sample.ts'
import { isBadStatus, ordersAvailabilitySli, type SliSelector, selectSliSeries } from './sli-selector.ts'

export interface ScraperOptions {
  /** Base URLs of the instances; each is scraped at `<base>/metrics`. */
  targets: readonly string[]
  intervalMs: number
  clock: Clock
  /** @defaultValue the global fetch */
  fetch?: typeof fetch
  /** Real-time budget of one scrape. @defaultValue 2000 */
  timeoutMs?: number
  /** @defaultValue ordersAvailabilitySli (`http_requests_total`, POST /orders, bad = 5xx) */
  sli?: SliSelector
  /** Called after every scrape, in order. */
  onScrape?: (tick: ScrapeTick) => void
}

/** What one target gave in one scrape. Counts are this tick's increase from that target (0 when it was down). */
export interface TargetScrape {
  target: string
  up: 0 | 1
  total: number
  bad: number
  /** A counter went down or vanished since the last scrape: the instance restarted, all its counts are new. */
  reset: boolean
  error?: string
}

export interface ScrapeTick extends SliSample {
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
}

/**
 * Scrapes every target's `/metrics`, keeps each target's counters per status code, and adds their increases
 * into one cumulative (total, bad) series. A counter lower than its last value, or gone, means the instance
 * restarted: its new values are all increase, as Prometheus `increase()` counts a reset, and since a restart
 * resets every counter of the instance, that holds for all of its counters, not just the one that went down. A target that fails a scrape
 * is reported with up=0 and its last values are carried, so it adds nothing until it answers again.
 */
export function createScraper(options: ScraperOptions): Scraper {
  const { targets, intervalMs, clock } = options
  if (targets.length === 0)
    throw new DetectionOptionsInvalidError('scrape targets', 'must list at least one base URL')
  if (!(intervalMs > 0))
    throw new DetectionOptionsInvalidError(
      'scrape intervalMs',
      `must be a positive number (got ${intervalMs})`,
    )
  const fetchImpl = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 2000
  const sli = options.sli ?? ordersAvailabilitySli

  const last = new Map<string, Map<string, number>>()
  const series: SliSample[] = []
  const ticks: ScrapeTick[] = []
  let cumulative = { total: 0, bad: 0 }
  let queue: Promise<unknown> = Promise.resolve()
  let running: Ticker | null = null

  const scrapeTarget = async (target: string): Promise<TargetScrape> => {
    try {
      const response = await fetchImpl(`${target.replace(/\/+$/, '')}/metrics`, {
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const current = selectSliSeries(parsePrometheusText(text), sli)
      const previous = last.get(target)
      last.set(target, current)
      // A restart resets every counter of the instance at once: one counter that went down, or one that
      // vanished, means all of them start again from zero (even those that are back at their old value).
      const reset =
        previous !== undefined &&
        [...previous].some(([status, before]) => (current.get(status) ?? Number.NEGATIVE_INFINITY) < before)
      let total = 0
      let bad = 0
      for (const [status, value] of current) {
        // A target's first scrape is its baseline.
        const before = previous === undefined ? value : reset ? 0 : (previous.get(status) ?? 0)
        const increase = value - before
        total += increase
        if (isBadStatus(status)) bad += increase
      }
      return { target, up: 1, total, bad, reset }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      return { target, up: 0, total: 0, bad: 0, reset: false, error }
    }
  }

  const scrape = async (): Promise<ScrapeTick> => {
    const t = clock.now()
    const results = await Promise.all(targets.map(scrapeTarget))
    cumulative = {
      total: cumulative.total + results.reduce((sum, r) => sum + r.total, 0),
      bad: cumulative.bad + results.reduce((sum, r) => sum + r.bad, 0),
    }
    const tick: ScrapeTick = { t, ...cumulative, targets: results }
    series.push({ t, ...cumulative })
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
    scrapeOnce,
    series: () => series,
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
