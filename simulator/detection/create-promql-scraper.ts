import type { Clock } from '../../record/clock/clock.ts'
import { startTicker, type Ticker } from '../../record/clock/start-ticker.ts'
import type { Scraper, ScrapeTick } from './create-scraper.ts'
import { DetectionOptionsInvalidError } from './errors.ts'
import type { Slo } from './sli-definition.ts'
import type { SliCounts, SliSample } from './sli-sample.ts'

export interface PromqlScraperOptions {
  /** The team's Prometheus (its HTTP API is under /api/v1). */
  url: string
  /** Bad and all events per second over `$window`, as the target file gives them. */
  errors: string
  total: string
  /** How often to query; also the team's scrape interval, which sets the rate window (4 scrapes). */
  intervalMs: number
  clock: Clock
  /** The one SLO these queries measure (its name and objective; its selectors are not used). */
  slo: Slo
  /** Real-time budget of one query. @defaultValue 2000 */
  timeoutMs?: number
  onScrape?: (tick: ScrapeTick) => void
}

/** A duration as PromQL writes it, in whole milliseconds. */
const promDuration = (ms: number) => `${Math.max(1, Math.round(ms))}ms`

/**
 * An SLI read from the team's Prometheus instead of scraped: every interval, the two rate queries (`$window`
 * set to four of its scrape intervals, so `rate()` always has samples) give events per second, integrated over
 * the time since the last query into the same cumulative (total, bad) series a scrape gives, which the burn-rate
 * evaluator, the steady state and the recovery read. The series lags real time by about half the rate window,
 * and is an estimate: Prometheus's rates are. A query that fails reports `up: 0` and adds nothing.
 */
export function createPromqlScraper(options: PromqlScraperOptions): Scraper {
  const { clock, slo, intervalMs } = options
  if (!(intervalMs > 0))
    throw new DetectionOptionsInvalidError(
      'scrape intervalMs',
      `must be a positive number (got ${intervalMs})`,
    )
  const base = options.url.replace(/\/+$/, '')
  const window = promDuration(4 * intervalMs)
  const timeoutMs = options.timeoutMs ?? 2000
  const samples: SliSample[] = []
  const ticks: ScrapeTick[] = []
  let cumulative: SliCounts = { total: 0, bad: 0 }
  let lastAt: number | null = null
  let queue: Promise<unknown> = Promise.resolve()
  let running: Ticker | null = null

  const query = async (expression: string): Promise<number> => {
    const text = expression.replaceAll('$window', window)
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(text)}`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) throw new Error(`${base} answered ${response.status} to ${text}`)
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } }
    // No series: nothing happened (a 5xx counter that was never incremented), not an error.
    return body.data.result.reduce((sum, r) => sum + Number(r.value[1]), 0)
  }

  const scrape = async (): Promise<ScrapeTick> => {
    const t = clock.now()
    let up: 0 | 1 = 1
    let error: string | undefined
    let added: SliCounts = { total: 0, bad: 0 }
    try {
      const [bad, total] = await Promise.all([query(options.errors), query(options.total)])
      const seconds = lastAt === null ? 0 : (t - lastAt) / 1000
      added = { total: total * seconds, bad: Math.min(bad, total) * seconds }
    } catch (err) {
      up = 0
      error = err instanceof Error ? err.message : String(err)
    }
    if (up === 1) lastAt = t
    cumulative = { total: cumulative.total + added.total, bad: cumulative.bad + added.bad }
    samples.push({ t, ...cumulative })
    const tick: ScrapeTick = {
      t,
      ...cumulative,
      slis: { [slo.name]: cumulative },
      targets: [{ target: base, up, ...added, reset: false, ...(error === undefined ? {} : { error }) }],
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
    slos: [slo],
    scrapeOnce,
    series: () => samples,
    seriesOf(name) {
      if (name !== slo.name)
        throw new DetectionOptionsInvalidError('slo', `names no SLO the scraper keeps (got "${name}")`)
      return { series: () => samples }
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
