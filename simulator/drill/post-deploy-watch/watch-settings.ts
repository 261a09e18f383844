import type { ValidScenario } from '../../../record/scenario/parse-scenario.ts'
import type { WatchThresholds } from './judge-watch.ts'

/** The post-deploy watch as a scenario sets it up, in wall-clock milliseconds. */
export interface WatchSettings extends WatchThresholds {
  enabled: boolean
  /** `observationMinutes` scaled by the scenario's time scale. */
  windowMs: number
  /** How often the window is evaluated: the detection's scrape interval. */
  intervalMs: number
  /** How long the watch waits past its window for `minRequests` before it ends without a verdict. */
  maxWatchMs: number
  /**
   * The new instances' warm-up: latency is judged on the requests after it (a freshly started instance's first
   * requests are slow while its code warms up); errors count from the deploy's completion.
   */
  warmupMs: number
}

/** How long past its window, at most, the watch waits for enough requests to judge (in windows). */
const MAX_WINDOWS = 5
/** The share of the window that is the new instances' warm-up, for latency. */
const WARMUP_SHARE = 0.25

export function watchSettingsOf(scenario: ValidScenario): WatchSettings {
  const { watch } = scenario.release
  const windowMs = watch.observationMinutes * 60_000 * scenario.timeScale
  return {
    enabled: watch.enabled,
    windowMs,
    intervalMs: scenario.detection.scrapeIntervalMs,
    maxWatchMs: windowMs * MAX_WINDOWS,
    warmupMs: windowMs * WARMUP_SHARE,
    maxErrorRatio: watch.maxErrorRatio,
    p95HeadroomPct: watch.p95HeadroomPct,
    p95MinIncreaseMs: watch.p95MinIncreaseMs,
    minRequests: watch.minRequests,
    consecutiveBreaches: watch.consecutiveBreaches,
  }
}

/** Strategies whose deploy puts users on a new build, and so are watched once it completes. */
export const WATCHED_STRATEGIES: ReadonlySet<ValidScenario['release']['strategy']> = new Set([
  'rolling',
  'blue-green',
  'instance-canary',
])

/** The watch in the drill's plan, one line (or why there is none). */
export function describeWatch(scenario: ValidScenario): string {
  const s = watchSettingsOf(scenario)
  const strategy = scenario.release.strategy
  if (!WATCHED_STRATEGIES.has(strategy))
    return strategy === 'flag-canary'
      ? 'post-deploy watch: none (the deploy is dark: users see the change only through its flag)'
      : 'post-deploy watch: none (no deploy of ours is released)'
  if (!s.enabled) return 'post-deploy watch: off (release.watch.enabled: false)'
  const when =
    strategy === 'rolling'
      ? 'once the last batch is out'
      : strategy === 'blue-green'
        ? 'once traffic is switched to green'
        : 'once the canary is promoted'
  return `post-deploy watch ${when}: ${(s.windowMs / 1000).toFixed(2)} s (${scenario.release.watch.observationMinutes} min scaled); error ratio ≥ ${s.maxErrorRatio * 100} % or p95 above the steady state's + ${s.p95HeadroomPct} % (and + ${s.p95MinIncreaseMs} ms at least) on ${s.consecutiveBreaches} evaluations in a row (≥ ${s.minRequests} requests) rolls production back`
}
