import { join } from 'node:path'
import type { Artifact } from '../../gate/build/artifact.ts'
import type { DeployEvent } from '../../gate/deploy/deploy-event.ts'
import type { Environment } from '../../gate/deploy/environment.ts'
import type { SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import {
  type RunningShopProcesses,
  startShopProcesses,
} from '../../services/shop/process/start-shop-processes.ts'
import { type DeployShopOptions, type DrillShopOptions, shopLogLevel } from './deployed-shop.ts'
import type { PostDeployWatch } from './post-deploy-watch/post-deploy-watch.ts'
import type { ProductionDeploys } from './production-deploys.ts'
import type { ProductionRouting } from './production-routing.ts'
import type { ProductionWorkers } from './production-workers.ts'

/** What every stage of the change's path to production shares. */
export interface DeployPipeline {
  readonly options: DeployShopOptions
  /** The run's artifact store. */
  readonly store: string
  /** What the pipeline started, closed in reverse order when it fails or the drill stops the shop. */
  readonly closers: Array<() => Promise<void>>
  /** Journals a deploy's events (they arrive synchronously; `settle` awaits their writes). */
  deployEvents(event: DeployEvent): void
  settle(): Promise<void>
  close(): Promise<void>
}

/** Production as it runs before the change, and what deploys to it. */
export interface ProductionBeforeChange {
  repo: SandboxRepo
  /** What production runs before the change: where a rollback goes. */
  base: Artifact
  routing: ProductionRouting
  production: Environment
  /** The flags service, a process. */
  productionShop: RunningShopProcesses
  /** Production's workers, each a process, rolled with the change unless the scenario keeps them. */
  workers: ProductionWorkers
  deploys: ProductionDeploys
  /** After a deploy that puts users on the change, production is watched against its own steady state. */
  watch: PostDeployWatch
}

export function openPipeline(options: DeployShopOptions): DeployPipeline {
  const { record } = options
  const closers: Array<() => Promise<void>> = []
  // Deploy events arrive synchronously; their journal writes are awaited after each deploy.
  const pending: Promise<unknown>[] = []
  return {
    options,
    store: join(options.runDir, 'artifacts'),
    closers,
    deployEvents: (event) => {
      pending.push(
        record({
          type: 'deploy.step',
          data: {
            environment: event.env,
            step: event.type,
            commit: event.artifact.commit,
            contentHash: event.artifact.contentHash,
            ...(event.slot === undefined ? {} : { slot: event.slot }),
            ...(event.detail === undefined ? {} : { detail: event.detail }),
            ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
          },
        }),
      )
    },
    settle: async () => {
      await Promise.all(pending.splice(0))
    },
    close: async () => {
      for (const fn of closers.reverse()) await fn().catch(() => {})
      closers.length = 0
    },
  }
}

/**
 * Starts the parts of the shop a deploy does not roll (the flags service and, unless `workers` is 0, the
 * workers) from an artifact's own code, each a process of its own named `<environment>-<n>`, as a deploy of that
 * build runs them.
 */
export function startShopFrom(
  artifact: Artifact,
  environment: string,
  shop: DrillShopOptions,
): Promise<RunningShopProcesses> {
  const { onLogLine, ...options } = shop
  return startShopProcesses(artifact.dir, {
    ...options,
    apiInstances: 0,
    instanceName: (_role, index) => `${environment}-${index}`,
    logLevel: shopLogLevel(shop),
    output: 'capture',
    ...(onLogLine === undefined ? {} : { onOutputLine: onLogLine }),
  })
}
