import type { Artifact } from '../../gate/build/artifact.ts'
import type { SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import type { Clock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { ShopOptions } from '../../services/shop/shop-options.ts'
import type { WatchOutcome } from './post-deploy-watch/post-deploy-watch.ts'
import type { ProductionDeploys } from './production-deploys.ts'

/** What the drill runs against: production's api instances and its flag service. */
export interface ShopUnderDrill {
  /** Every api instance production runs (a blue-green release's idle ones too): what detection scrapes. */
  apiUrls: string[]
  /** The api instances taking traffic now: all of them, except in a blue-green release (blue, then green). */
  liveUrls(): readonly string[]
  flagsUrl: string
  /** The workers' `/metrics` URLs now (read it when it is needed: a rolled worker answers on a new port). */
  readonly workerMetricsUrls: string[]
  close(): Promise<void>
}

export interface DeployedShop {
  repo: SandboxRepo
  /** Trunk's head after the bad change was merged (null when the scenario has no patch). */
  commit: string | null
  /** The artifact of the change (production runs it, or will once a rolling release rolls it out). */
  artifact: Artifact
  /** What production ran before the change: where a rollback goes. */
  base: Artifact
  /**
   * The change was stopped where the scenario (or a `--again` run) expects it: the gate refused it, or production
   * refused the artifact its tag named. Production runs what it ran before.
   */
  refused: boolean
  shop: ShopUnderDrill
  /** Production's deploy history and rollback. */
  deploys: ProductionDeploys
  /**
   * The post-deploy watch: `outcome()` resolves once it has judged the deploy that put users on the change (at once
   * with `not-watched` when no such deploy completed).
   */
  watch: { outcome(): Promise<WatchOutcome> }
  /**
   * A rolling release: the change is built, verified on staging and tagged, and production still runs what it
   * ran before; each call rolls the next batch of api slots onto it. Absent for a flag-canary release (the
   * change is already in production, dark) and when nothing is to be released. Resolves false, rolling nothing,
   * once someone has asked for a rollback.
   */
  rollOut?: (slots: readonly number[]) => Promise<RollOutcome>
  /**
   * The slots release step `index` puts on the change, where the strategy decides (a blue-green release: green; an
   * instance canary: the canary, then every instance). @defaultValue the next batch of the step's share
   */
  batchSlots?: (index: number) => readonly number[] | undefined
}

/**
 * One rolling batch: `rolled` (its slots run the change), `held` (someone asked for a rollback, so nothing more
 * goes out) or `rolled-back` (a new instance failed its health check and the deploy put the batch back).
 */
export type RollOutcome = 'rolled' | 'held' | 'rolled-back'

export interface DeployShopOptions {
  loaded: LoadedScenario
  runDir: string
  /** Production's shop: Redis, prefix, instances, flag token. Each of its parts runs as a process of its own. */
  shop: DrillShopOptions
  /** Journals one step of the change's path. */
  record(event: NewJournalEvent): Promise<unknown>
  say(line: string): void
  /**
   * A previous run's service repository to start from (its trunk, with its fix merged) instead of a fresh copy
   * of `services/`; a red gate on the change is then an outcome, not a failure.
   */
  baseRepo?: string
  /** The commit the repeated run last ran in production: the start on `baseRepo` carries what came since. */
  baseProductionCommit?: string | null
  /**
   * The bad change's commit in `baseRepo`: when the scenario's patch no longer applies to the trunk the earlier
   * run left (its loop rewrote the code the patch touches), the change is proposed again as that commit's code
   * put back on today's trunk, as the verifier's replay does.
   */
  baseBadCommit?: string | null
  /** When the drill started (epoch ms): dates a fresh repository's release flag. */
  startedAt: number
  clock: Clock
  /** The drill's abort: the post-deploy watch stops with it. */
  signal?: AbortSignal
}

/** The shop a drill starts: every part a process, its logs (when asked for) told line by line. */
export interface DrillShopOptions extends Omit<ShopOptions, 'logger'> {
  /**
   * Told every log line production's processes write, at level info (the training console shows them).
   * @defaultValue none: each process keeps its last lines, at level warn, for its errors
   */
  onLogLine?: (line: string) => void
}

/** The level of the shop's logs: info for someone who reads them, warn otherwise. */
export function shopLogLevel(shop: DrillShopOptions): string {
  return shop.onLogLine === undefined ? 'warn' : 'info'
}
