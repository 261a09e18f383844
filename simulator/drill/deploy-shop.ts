import { symlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { deployArtifact } from '../../gate/deploy/deploy-artifact.ts'
import { Environment } from '../../gate/deploy/environment.ts'
import { installTrunkMergeHooks } from '../../gate/merge/trunk-merge-hook.ts'
import { createSandboxRepo, PROJECT_ROOT, type SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { git } from '../../record/git/git.ts'
import {
  type DeployPipeline,
  openPipeline,
  type ProductionBeforeChange,
  startShopFrom,
} from './deploy-pipeline.ts'
import { type DeployedShop, type DeployShopOptions, shopLogLevel } from './deployed-shop.ts'
import { mintReleaseFlag } from './mint-release-flag.ts'
import { PostDeployWatch } from './post-deploy-watch/post-deploy-watch.ts'
import { watchSettingsOf } from './post-deploy-watch/watch-settings.ts'
import { prepareRelease } from './prepare-release.ts'
import { ProductionDeploys } from './production-deploys.ts'
import { ProductionRouting } from './production-routing.ts'
import { ProductionWorkers } from './production-workers.ts'
import { gateChange, stageChange } from './ship-change.ts'

/**
 * The bad change's path to production, as real changes travel:
 * 1. `services/` in a sandbox git repository (trunk); production runs trunk's build before the change;
 * 2. the scenario's change committed on a branch, the gate run on exactly that commit (green: nothing tests
 *    the flagged path yet), merged to trunk only on a green, signed gate record;
 * 3. trunk built once into an immutable artifact;
 * 4. deployed to staging (rolling, health-checked, smoke-tested; the flag verified off), tagged `release`, and
 *    production deploys what the tag names the same way, dark, only if its content hash is the one staging
 *    verified. A failed check rolls back and stops the pipeline.
 */
export async function deployShop(options: DeployShopOptions): Promise<DeployedShop> {
  const { loaded, record } = options
  const pipeline = openPipeline(options)
  try {
    const { repo, baseCommit } = await openSandbox(pipeline)
    // Production starts on trunk's build while the change goes through the gate: neither needs the other until
    // the change is merged.
    const [before, gated] = await bothSettled(
      startProduction(pipeline, repo, baseCommit),
      gateChange(pipeline, repo),
    )
    const { base, routing, production, productionShop, workers, deploys, watch } = before
    let commit: string | null = null
    let artifact = base
    let refused = false
    let rollOut: DeployedShop['rollOut']
    if (gated !== null) {
      refused = gated.refused
      if (!refused && gated.mergeCommit !== null) {
        commit = gated.mergeCommit
        artifact = await stageChange(pipeline, repo, commit)
        const release = await prepareRelease(pipeline, before, artifact, commit)
        refused = release.refused
        rollOut = release.rollOut
      }
    }
    if (
      !refused &&
      loaded.scenario.release.strategy === 'flag-canary' &&
      (options.baseRepo === undefined || commit !== null)
    ) {
      await record({
        type: 'change.deployed',
        data: {
          commit: commit ?? base.commit,
          dark: true,
          artifact: artifact.contentHash,
          environment: 'production',
        },
      })
      if (commit !== null)
        await watch.notWatched(
          'a dark deploy: users see nothing new until the flag turns the change on, and the release is judged by its canary steps and the burn-rate alerts',
        )
    }
    // The steady state's traffic starts now: the watch's baseline counts from here.
    if (rollOut !== undefined) await watch.steadyStateBegins()
    const stopWatch = () => void watch.stop()
    options.signal?.addEventListener('abort', stopWatch, { once: true })
    pipeline.closers.push(async () => {
      options.signal?.removeEventListener('abort', stopWatch)
      await watch.stop()
    })
    return {
      repo,
      commit,
      artifact,
      refused,
      base,
      deploys,
      watch,
      ...(rollOut === undefined ? {} : { rollOut }),
      batchSlots: (index: number) => routing.batchSlots(index),
      shop: {
        apiUrls: production.urls(),
        liveUrls: () => routing.liveUrls(),
        flagsUrl: productionShop.flagsUrl,
        get workerMetricsUrls() {
          return workers.metricsUrls()
        },
        close: pipeline.close,
      },
    }
  } catch (err) {
    await pipeline.close()
    throw err
  }
}

/**
 * The sandbox repository (a fresh copy of `services/`, with the release flag minted, or a repeated run's trunk)
 * and the commit production runs before the change: trunk's head now, before any merge.
 */
async function openSandbox(pipeline: DeployPipeline): Promise<{ repo: SandboxRepo; baseCommit: string }> {
  const { options } = pipeline
  const repo =
    options.baseRepo === undefined
      ? await createSandboxRepo(join(options.runDir, 'sandbox'))
      : await cloneSandboxRepo(options.baseRepo, join(options.runDir, 'sandbox'))
  const { flag } = options.loaded.scenario.change
  if (options.baseRepo === undefined && flag !== undefined)
    await mintReleaseFlag(repo, flag, options.startedAt)
  return { repo, baseCommit: await git(repo.dir, ['rev-parse', repo.trunk]) }
}

/** Both values once both have settled; the first rejection if either failed (after both have settled). */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b])
  if (first.status === 'rejected') throw first.reason
  if (second.status === 'rejected') throw second.reason
  return [first.value, second.value]
}

/**
 * Production as it was before the change: trunk's build (`baseCommit`), the flags service and workers, then the
 * api instances (with the slots the release strategy adds, empty until the change goes there), and production's
 * deploy history.
 */
async function startProduction(
  pipeline: DeployPipeline,
  repo: SandboxRepo,
  baseCommit: string,
): Promise<ProductionBeforeChange> {
  const { options, store, closers } = pipeline
  const { loaded, record, say } = options
  const strategy = loaded.scenario.release.strategy
  const base = await buildArtifact({ repo, commit: baseCommit, store })

  const routing: ProductionRouting = new ProductionRouting({
    strategy,
    instances: options.shop.apiInstances ?? 2,
    production: () => production,
    record,
    say,
  })
  const production = new Environment({
    name: 'production',
    redisUrl: options.shop.redisUrl,
    prefix: options.shop.prefix ?? 'firedrill',
    ports: Array.from({ length: routing.slotCount }, () => 0),
    ...(options.shop.flagsResyncIntervalMs === undefined
      ? {}
      : { flagsResyncIntervalMs: options.shop.flagsResyncIntervalMs }),
    logLevel: shopLogLevel(options.shop),
    ...(options.shop.onLogLine === undefined ? {} : { onLogLine: options.shop.onLogLine }),
  })
  // The flags service first (it seeds the flag store), then the workers (apart, so a deploy can roll them) and
  // the api instances side by side.
  const productionShop = await startShopFrom(base, 'production', { ...options.shop, workers: 0 })
  closers.push(() => productionShop.close())
  const workers = new ProductionWorkers(options.shop, productionShop.paymentsApiKey)
  closers.push(() => workers.close())
  closers.push(() => production.close())
  await Promise.all([
    workers.roll(base),
    deployArtifact(production, base, routing.blueOnly ? { slots: routing.blue } : {}),
  ])
  const deploys = new ProductionDeploys({
    production,
    record,
    onEvent: pipeline.deployEvents,
    settle: pipeline.settle,
    clock: options.clock,
    goBack: (request) => routing.goBack(request),
    liveSlots: () => routing.liveSlots(),
    workers,
  })
  deploys.started(base, null, false)
  // After a deploy that puts users on the change, production is watched against its own steady state.
  const watch = new PostDeployWatch({
    settings: watchSettingsOf(loaded.scenario),
    strategy,
    liveUrls: () => routing.liveUrls(),
    deploys,
    record,
    say,
    clock: options.clock,
  })
  if (options.baseRepo !== undefined) {
    // A repeated run's trunk carries what the earlier run's loop merged (its fix, its flag close-out), which
    // no production had run yet: starting production on it is a deployment, and DORA counts it.
    const since = options.baseProductionCommit
    const changes =
      since === undefined || since === null
        ? []
        : (await git(repo.dir, ['rev-list', '--no-merges', `${since}..${base.commit}`]))
            .split('\n')
            .filter((line) => line !== '')
    await record({
      type: 'change.deployed',
      data: {
        commit: base.commit,
        dark: false,
        artifact: base.contentHash,
        environment: 'production',
        ...(changes.length > 0 ? { changes } : {}),
      },
    })
  }
  return { repo, base, routing, production, productionShop, workers, deploys, watch }
}

/**
 * A previous run's service repository, cloned with its history (its fix merged), dependencies linked, and the
 * trunk merge hook installed (a clone does not bring hooks along).
 */
async function cloneSandboxRepo(from: string, dir: string): Promise<SandboxRepo> {
  await git(process.cwd(), ['clone', '-q', '--no-hardlinks', resolve(from), dir])
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const trunk = (await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])) || 'main'
  await installTrunkMergeHooks(dir, { trunk })
  return { dir, trunk }
}
