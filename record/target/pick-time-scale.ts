import { formatDuration } from '../scenario/duration.ts'

export interface TimeScaleNeeds {
  /** How often the detector's Prometheus scrapes the service, wall-clock ms. */
  scrapeIntervalMs: number
  /** The burn-rate rules' windows in real (scenario) time, ms: every long and short window. */
  windowsMs: readonly number[]
  /** Scrapes the shortest scaled window must hold; `rate()` needs 2, and 4 leaves room for a missed one. @defaultValue 4 */
  minSamples?: number
  /** The longest the longest scaled window may last, wall-clock ms (the drill's cost). @defaultValue 3_600_000 */
  maxWindowMs?: number
}

export type TimeScalePick =
  | {
      ok: true
      /** Wall-clock seconds per scenario second, `1 / compression`. */
      timeScale: number
      /** How many times faster than real time the drill runs: a whole number. */
      compression: number
      shortestWindowMs: number
      /** The shortest window once scaled, and how many scrapes it holds. */
      scaledShortestMs: number
      samplesInShortest: number
      longestWindowMs: number
      /** The longest window once scaled: what the drill's detection costs in wall-clock time. */
      scaledLongestMs: number
      /** In words: the scale, the scrapes per shortest window, and what it costs. */
      summary: string
    }
  | {
      ok: false
      reason: 'window-too-short' | 'drill-too-long'
      /** The slowest time scale the scrape interval allows (may be more than 1: slower than real time). */
      neededTimeScale: number
      /** The refusal, with the numbers and what to change. */
      message: string
    }

/**
 * The time scale a drill needs when the detector is the team's own Prometheus: the fastest whole compression
 * (1/N) whose shortest scaled window still holds `minSamples` scrapes at the team's interval, so `rate()` sees
 * the burn; or a refusal, with the numbers, when even real time is too fast for the scrape interval or the
 * longest window would last longer than `maxWindowMs`. Pure: it contacts nothing.
 *
 * Example: a 5m short window at a 1s scrape interval with 4 samples allows 1/75 (5m → 4 s, 4 scrapes), and the
 * 6h long window then lasts 4m48s; at a 15s interval it allows 1/5, and 6h lasts 1h12m.
 */
export function pickTimeScale(needs: TimeScaleNeeds): TimeScalePick {
  const minSamples = needs.minSamples ?? 4
  const maxWindowMs = needs.maxWindowMs ?? 3_600_000
  const { scrapeIntervalMs, windowsMs } = needs
  if (
    !(scrapeIntervalMs > 0) ||
    windowsMs.length === 0 ||
    windowsMs.some((w) => !(w > 0)) ||
    !(minSamples >= 1)
  )
    throw new RangeError(
      'pickTimeScale needs a positive scrape interval, positive windows and minSamples ≥ 1',
    )
  const shortest = Math.min(...windowsMs)
  const longest = Math.max(...windowsMs)
  const heldMs = minSamples * scrapeIntervalMs
  const neededTimeScale = heldMs / shortest
  const compression = Math.floor(shortest / heldMs)
  const d = (ms: number) => formatDuration(Math.round(ms))
  if (compression < 1)
    return {
      ok: false,
      reason: 'window-too-short',
      neededTimeScale,
      message:
        `The shortest window, ${d(shortest)}, holds ${(shortest / scrapeIntervalMs).toFixed(1)} scrapes at a ` +
        `${d(scrapeIntervalMs)} scrape interval even in real time; it needs ${minSamples}. ` +
        `Scrape at least every ${d(shortest / minSamples)}, or use windows of at least ${d(heldMs)}.`,
    }
  const scaledLongest = longest / compression
  if (scaledLongest > maxWindowMs) {
    return {
      ok: false,
      reason: 'drill-too-long',
      neededTimeScale,
      message:
        `At a ${d(scrapeIntervalMs)} scrape interval the shortest window, ${d(shortest)}, needs a time scale of ` +
        `at least 1/${compression} to hold ${minSamples} scrapes; the longest window, ${d(longest)}, would then ` +
        `last ${d(scaledLongest)}, past the ${d(maxWindowMs)} a drill may take. Scrape more often ` +
        `(every ${d(Math.floor(shortest / Math.ceil(longest / maxWindowMs) / minSamples))} allows it), or drop the longest window.`,
    }
  }
  const scaledShortest = shortest / compression
  const samples = Math.floor(scaledShortest / scrapeIntervalMs)
  return {
    ok: true,
    timeScale: 1 / compression,
    compression,
    shortestWindowMs: shortest,
    scaledShortestMs: scaledShortest,
    samplesInShortest: samples,
    longestWindowMs: longest,
    scaledLongestMs: scaledLongest,
    summary:
      `time scale 1/${compression}: the ${d(shortest)} window lasts ${d(scaledShortest)} (${samples} scrapes at ` +
      `${d(scrapeIntervalMs)}), the ${d(longest)} window lasts ${d(scaledLongest)} of drill time`,
  }
}
