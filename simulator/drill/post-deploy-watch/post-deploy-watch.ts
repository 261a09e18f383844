import type { Artifact } from '../../../gate/build/artifact.ts'
import type { Clock } from '../../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../../record/journal/journal-event.ts'
import { type RollbackRequest, waitForArtifact } from '../production-deploys.ts'
import { baselineOf, judgeWindow, p95Limit, type WatchBaseline, type WatchEvaluation } from './judge-watch.ts'
import { countsBetween, NO_COUNTS, scrapeCounts, sumCounts, type WatchCounts } from './watch-counts.ts'
import type { WatchSettings } from './watch-settings.ts'

/** The actor the watch's rollback carries in the journal and the deploy history. */
export const WATCH_ACTOR = 'post-deploy-watch'

/**
 * How a watch ended: `breached` (it rolled production back), `passed` (the window held), `ended` (someone else
 * rolled back first, or too few requests came to judge), `not-watched` (no deploy put users on a new build).
 */
export type WatchOutcome = 'breached' | 'passed' | 'ended' | 'not-watched'

export interface PostDeployWatchOptions {
  settings: WatchSettings
  strategy: string
  /** The api instances taking traffic now (read on each look; a canary's URL may come more than once). */
  liveUrls(): readonly string[]
  deploys: {
    rollback(by: string, reason: string): Promise<RollbackRequest>
    rollbackRequested(): RollbackRequest | undefined
  }
  record(event: NewJournalEvent): Promise<unknown>
  say(line: string): void
  clock: Clock
  /** Reads an instance's counts. @defaultValue its `/metrics`, scraped */
  scrape?: (url: string) => Promise<WatchCounts | null>
  /**
   * Resolves once every live instance answers from the artifact with content hash `to`.
   * @defaultValue each instance's artifact header, read until it does
   */
  waitForBack?: (to: string, signal: AbortSignal) => Promise<void>
}

type Snapshot = Map<string, WatchCounts>

const ms = (seconds: number) => (Number.isFinite(seconds) ? Math.round(seconds * 100_000) / 100 : null)
const bucketMs = (p95: WatchEvaluation['p95']) =>
  p95 === null ? null : { lowerMs: ms(p95.lower) ?? 0, upperMs: ms(p95.upper) }
const pct = (ratio: number | null) => (ratio === null ? 'n/a' : `${(ratio * 100).toFixed(2)} %`)

/**
 * Production watched after a deploy that puts users on a new build: the steady state's counts are the baseline
 * (`steadyStateBegins`, `releaseBegins`), and once the deploy completes (`deployCompleted`) the live api instances'
 * `/metrics` are read every `intervalMs` for `windowMs`, the window since completion judged against the baseline
 * (`judgeWindow`). `consecutiveBreaches` breaching evaluations in a row roll production back through the same
 * rollback a person asks for, as `post-deploy-watch`; a window that holds passes. Every step is journalled.
 */
export class PostDeployWatch {
  readonly #o: PostDeployWatchOptions
  readonly #scrape: (url: string) => Promise<WatchCounts | null>
  readonly #stop = new AbortController()
  #steady: Snapshot | undefined
  #baseline: WatchBaseline | undefined
  #running: Promise<WatchOutcome> | undefined

  constructor(options: PostDeployWatchOptions) {
    this.#o = options
    this.#scrape = options.scrape ?? ((url) => scrapeCounts(url))
  }

  /** The counts before the steady state's traffic: the baseline counts from here. */
  async steadyStateBegins(): Promise<void> {
    this.#steady = await this.#snapshot()
  }

  /** Takes the baseline (the steady state's counts on the instances taking traffic); only the first call does. */
  async releaseBegins(): Promise<void> {
    if (this.#baseline !== undefined) return
    const now = await this.#snapshot()
    this.#baseline = baselineOf(this.#since(this.#steady, now), this.#o.settings.minRequests)
  }

  /** Journals that the release is not watched, and why. */
  async notWatched(reason: string): Promise<void> {
    await this.#o.record({ type: 'deploy.watch.skipped', data: { strategy: this.#o.strategy, reason } })
    this.#o.say(`post-deploy watch: not watched (${reason})`)
  }

  /** The deploy of `artifact` (replacing `previous`) completed: the watch starts, once. */
  deployCompleted(artifact: Artifact, previous: Artifact): void {
    if (this.#running !== undefined) return
    if (!this.#o.settings.enabled) {
      this.#running = this.notWatched('release.watch.enabled is false').then(() => 'not-watched' as const)
      return
    }
    this.#running = this.#watch(artifact, previous).catch(async (err: unknown) => {
      if (this.#stop.signal.aborted) return 'ended' as const
      await this.#o
        .record({
          type: 'deploy.watch.ended',
          data: { artifact: artifact.contentHash, reason: `the watch failed: ${(err as Error).message}` },
        })
        .catch(() => {})
      return 'ended' as const
    })
  }

  /** How the watch ended, once it has; `not-watched` at once when no deploy completed. */
  outcome(): Promise<WatchOutcome> {
    return this.#running ?? Promise.resolve('not-watched')
  }

  /** Stops watching (the drill ends); waits for an evaluation or rollback in progress. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('the drill ended'))
    await this.#running?.catch(() => {})
  }

  async #watch(artifact: Artifact, previous: Artifact): Promise<WatchOutcome> {
    const { settings, record, say, clock, deploys } = this.#o
    const signal = this.#stop.signal
    const since = await this.#snapshot()
    const completedAt = clock.now()
    const baseline = this.#baseline ?? baselineOf(NO_COUNTS, settings.minRequests)
    const limit = p95Limit(baseline, settings)
    await record({
      type: 'deploy.watch.started',
      data: {
        artifact: artifact.contentHash,
        previous: previous.contentHash,
        strategy: this.#o.strategy,
        windowMs: Math.round(settings.windowMs),
        intervalMs: settings.intervalMs,
        baseline: {
          requests: baseline.requests,
          errorRatio: baseline.errorRatio,
          p95Ms: bucketMs(baseline.p95),
        },
        thresholds: {
          maxErrorRatio: settings.maxErrorRatio,
          p95HeadroomPct: settings.p95HeadroomPct,
          p95MinIncreaseMs: settings.p95MinIncreaseMs,
          p95LimitMs: limit === null ? null : ms(limit),
          minRequests: settings.minRequests,
          consecutiveBreaches: settings.consecutiveBreaches,
        },
      },
    })
    say(
      `post-deploy watch: ${(settings.windowMs / 1000).toFixed(2)} s on ${artifact.contentHash.slice(0, 12)}; baseline p95 ≤ ${baseline.p95 === null ? 'n/a' : `${ms(baseline.p95.upper)} ms`}, limit ${limit === null ? 'none' : `${ms(limit)} ms`}, error ratio < ${pct(settings.maxErrorRatio)}`,
    )
    let streak = 0
    let evaluations = 0
    let last: WatchEvaluation | undefined
    // Latency counts from the end of the new instances' warm-up.
    let warm: Snapshot | undefined
    for (;;) {
      await clock.sleep(settings.intervalMs, signal)
      const other = deploys.rollbackRequested()
      if (other !== undefined) {
        await record({
          type: 'deploy.watch.ended',
          data: {
            artifact: artifact.contentHash,
            reason: `production was rolled back by ${other.by}`,
            evaluations,
            watchedMs: clock.now() - completedAt,
          },
        })
        return 'ended'
      }
      const now = await this.#snapshot()
      const evaluation = judgeWindow(
        this.#since(since, now),
        baseline,
        settings,
        warm === undefined ? undefined : this.#since(warm, now),
      )
      if (warm === undefined && clock.now() - completedAt >= settings.warmupMs) warm = now
      last = evaluation
      if (evaluation.counted) {
        evaluations++
        streak = evaluation.breaches.length > 0 ? streak + 1 : 0
      }
      const watchedMs = clock.now() - completedAt
      if (streak >= settings.consecutiveBreaches)
        return this.#rollBack(artifact, previous, evaluation, baseline, limit, evaluations, watchedMs)
      if (streak > 0) continue
      if (watchedMs >= settings.windowMs && evaluation.counted) {
        await record({
          type: 'deploy.watch.passed',
          data: { artifact: artifact.contentHash, ...figures(evaluation), evaluations, watchedMs },
        })
        say(
          `post-deploy watch passed: ${evaluation.requests} requests, error ratio ${pct(evaluation.errorRatio)}, p95 ≤ ${ms(evaluation.p95?.upper ?? 0)} ms`,
        )
        return 'passed'
      }
      if (watchedMs >= settings.maxWatchMs) {
        await record({
          type: 'deploy.watch.ended',
          data: {
            artifact: artifact.contentHash,
            reason: `too few requests to judge: ${last.requests} in ${(watchedMs / 1000).toFixed(1)} s, ${settings.minRequests} needed`,
            evaluations,
            watchedMs,
          },
        })
        return 'ended'
      }
    }
  }

  async #rollBack(
    artifact: Artifact,
    previous: Artifact,
    evaluation: WatchEvaluation,
    baseline: WatchBaseline,
    limit: number | null,
    evaluations: number,
    watchedMs: number,
  ): Promise<WatchOutcome> {
    const { record, say, clock, deploys, settings } = this.#o
    const what = evaluation.breaches
      .map((b) =>
        b === 'error-ratio'
          ? `error ratio ${pct(evaluation.errorRatio)} (at least ${pct(evaluation.errorRatioLowerBound)}) ≥ ${pct(settings.maxErrorRatio)}`
          : `p95 ≥ ${ms(evaluation.p95?.lower ?? 0)} ms > ${ms(limit ?? 0)} ms (baseline p95 ≤ ${ms(baseline.p95?.upper ?? 0)} ms + ${settings.p95HeadroomPct} %, and + ${settings.p95MinIncreaseMs} ms at least)`,
      )
      .join(' and ')
    const breachedAt = clock.now()
    await record({
      type: 'deploy.watch.breached',
      data: {
        artifact: artifact.contentHash,
        breaches: [...evaluation.breaches],
        ...figures(evaluation),
        baselineP95Ms: bucketMs(baseline.p95),
        p95LimitMs: limit === null ? null : ms(limit),
        maxErrorRatio: settings.maxErrorRatio,
        consecutive: settings.consecutiveBreaches,
        evaluations,
        sinceCompletedMs: watchedMs,
      },
    })
    say(
      `post-deploy watch BREACHED on ${artifact.contentHash.slice(0, 12)}: ${what}; rolling production back`,
    )
    // Someone else may have asked for the rollback between the look and now: production goes back once.
    const request =
      deploys.rollbackRequested() ??
      (await deploys.rollback(
        WATCH_ACTOR,
        `the post-deploy watch saw ${what} over ${evaluation.requests} requests since the deploy of ${artifact.contentHash.slice(0, 12)} completed`,
      ))
    await (
      this.#o.waitForBack ?? ((to, signal) => waitForArtifact(() => this.#o.liveUrls(), to, clock, signal))
    )(request.to.contentHash, this.#stop.signal)
    const backMs = clock.now() - breachedAt
    await record({
      type: 'deploy.watch.rolled-back',
      data: {
        from: request.from.contentHash,
        to: request.to.contentHash,
        by: request.by,
        backMs,
        sinceCompletedMs: clock.now() - (breachedAt - watchedMs),
      },
    })
    say(
      `production back on ${previous.contentHash.slice(0, 12)} ${(backMs / 1000).toFixed(1)} s after the breach (${request.by})`,
    )
    return 'breached'
  }

  /** Each instance taking traffic now, its counts (an instance that does not answer is left out). */
  async #snapshot(): Promise<Snapshot> {
    const urls = [...new Set(this.#o.liveUrls())]
    const read = await Promise.all(urls.map(async (url) => [url, await this.#scrape(url)] as const))
    return new Map(read.flatMap(([url, counts]) => (counts === null ? [] : [[url, counts] as const])))
  }

  /** What the instances in `now` answered since `before`. */
  #since(before: Snapshot | undefined, now: Snapshot): WatchCounts {
    return sumCounts([...now].map(([url, counts]) => countsBetween(before?.get(url), counts)))
  }
}

/** An evaluation's figures as the journal keeps them. */
function figures(evaluation: WatchEvaluation) {
  return {
    requests: evaluation.requests,
    errors: evaluation.errors,
    errorRatio: evaluation.errorRatio,
    errorRatioLowerBound: evaluation.errorRatioLowerBound,
    p95Ms: bucketMs(evaluation.p95),
  }
}
