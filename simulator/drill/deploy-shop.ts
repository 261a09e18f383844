import { symlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Artifact } from '../../gate/build/artifact.ts'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { deployArtifact } from '../../gate/deploy/deploy-artifact.ts'
import type { DeployEvent } from '../../gate/deploy/deploy-event.ts'
import { Environment } from '../../gate/deploy/environment.ts'
import { proveRollback } from '../../gate/deploy/prove-rollback.ts'
import { DeployFailedError, RollbackUnprovenError } from '../../gate/gate-errors.ts'
import { installTrunkMergeHooks } from '../../gate/merge/trunk-merge-hook.ts'
import {
  commitPatch,
  createSandboxRepo,
  PROJECT_ROOT,
  type SandboxRepo,
} from '../../gate/sandbox/sandbox-repo.ts'
import { buildReplayCommit } from '../../gate/verify/replay-bad-change.ts'
import type { Clock } from '../../record/clock/clock.ts'
import { git } from '../../record/git/git.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import { isFlagOff } from '../../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { RunningShop, ShopOptions } from '../../services/shop/shop-options.ts'
import { gateAndMerge } from './gate-branch.ts'
import { gateVerdict } from './gate-verdict.ts'
import { mintReleaseFlag } from './mint-release-flag.ts'
import { PostDeployWatch, type WatchOutcome } from './post-deploy-watch/post-deploy-watch.ts'
import { watchSettingsOf } from './post-deploy-watch/watch-settings.ts'
import { ProductionDeploys } from './production-deploys.ts'
import { ProductionRouting } from './production-routing.ts'
import { ProductionWorkers } from './production-workers.ts'
import { DEPLOY_HEALTH, promoteToProduction } from './promote-to-production.ts'

/** What the drill runs against: production's api instances and its flag service. */
export interface ShopUnderDrill {
  /** Every api instance production runs (a blue-green release's idle ones too): what detection scrapes. */
  apiUrls: string[]
  /** The api instances taking traffic now: all of them, except in a blue-green release (blue, then green). */
  liveUrls(): readonly string[]
  flagsUrl: string
  /** The workers' `/metrics` URLs. */
  workerMetricsUrls: string[]
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
  /** Production's shop: Redis, prefix, instances, flag token. */
  shop: ShopOptions
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

type StartShop = (options: ShopOptions) => Promise<RunningShop>

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
  const { loaded, record, say } = options
  const store = join(options.runDir, 'artifacts')
  const closers: Array<() => Promise<void>> = []
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {})
    closers.length = 0
  }
  // Deploy events arrive synchronously; their journal writes are awaited after each deploy.
  const pending: Promise<unknown>[] = []
  const settle = async () => {
    await Promise.all(pending.splice(0))
  }
  const deployEvents = (event: DeployEvent) => {
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
  }

  try {
    const repo =
      options.baseRepo === undefined
        ? await createSandboxRepo(join(options.runDir, 'sandbox'))
        : await cloneSandboxRepo(options.baseRepo, join(options.runDir, 'sandbox'))
    const { flag } = loaded.scenario.change
    const strategy = loaded.scenario.release.strategy
    if (options.baseRepo === undefined && flag !== undefined)
      await mintReleaseFlag(repo, flag, options.startedAt)
    const base = await buildArtifact({ repo, commit: await git(repo.dir, ['rev-parse', repo.trunk]), store })

    // Production as it was before the change: flags service and workers, then the api instances (with the
    // slots the release strategy adds, empty until the change goes there).
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
      ...(options.shop.logger === undefined ? {} : { logger: options.shop.logger }),
    })
    // Production's workers run apart when the change is theirs, so the release's deploy can roll them too.
    const rollWorkers = workersTakeTheChange(loaded)
    const productionShop = await startShopFrom(base, {
      ...options.shop,
      apiInstances: 0,
      ...(rollWorkers ? { workers: 0 } : {}),
    })
    closers.push(() => productionShop.close())
    const workers = rollWorkers ? new ProductionWorkers(options.shop, productionShop.paymentsApiKey) : null
    if (workers !== null) {
      closers.push(() => workers.close())
      await workers.roll(base)
    }
    closers.push(() => production.close())
    await deployArtifact(production, base, routing.blueOnly ? { slots: routing.blue } : {})
    const deploys = new ProductionDeploys({
      production,
      record,
      onEvent: deployEvents,
      settle,
      clock: options.clock,
      goBack: (request) => routing.goBack(request),
      liveSlots: () => routing.liveSlots(),
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

    let commit: string | null = null
    let artifact = base
    let refused = false
    let rollOut: DeployedShop['rollOut']
    const patch = loaded.files['change.patch']
    if (patch !== undefined) {
      const title = loaded.scenario.change.title
      const branch = `change/${(flag ?? title.toLowerCase()).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}`
      const putBack =
        options.baseBadCommit != null && !(await patchApplies(repo.dir, patch)) ? options.baseBadCommit : null
      const head =
        putBack === null
          ? await commitPatch(repo, patch, branch, `feat: ${title}`)
          : await commitPutBack(repo, putBack, branch, title)
      if (putBack !== null)
        say(
          `the change's patch no longer applies to trunk: its code from ${putBack.slice(0, 12)} put back instead`,
        )
      await record({ type: 'change.committed', data: { branch, commit: head, title } })
      say(`change committed on ${branch} (${head.slice(0, 12)}); running the gate`)
      const env = { ...process.env, REDIS_URL: options.shop.redisUrl }
      const result = await gateAndMerge(repo.dir, branch, env, record)
      say(`gate ${result.green ? 'green' : 'RED'} in ${(result.durationMs / 1000).toFixed(1)} s`)
      const blockedBy = result.blockedBy
      const verdict = gateVerdict({
        stoppedBy: loaded.scenario.change.stoppedBy,
        repeat: options.baseRepo !== undefined,
        gate: {
          commit: result.commit,
          green: result.green,
          blockedBy,
          failed: result.gate.steps.filter((s) => s.status !== 'passed').map((s) => s.name),
        },
        scenarioFile: loaded.file,
      })
      if (verdict === 'refused') {
        refused = true
        await record({ type: 'change.refused', data: { branch, commit: head, blockedBy } })
        say(
          `the gate refused the change (stopped by ${blockedBy.join(', ')}): production keeps trunk as it is`,
        )
      }
      const merged = result.merged
      if (!refused && merged !== null) {
        commit = merged.mergeCommit
        await record({
          type: 'change.merged',
          data: { branch, commit: merged.branchHead, trunk: merged.mergeCommit },
        })

        artifact = await buildArtifact({ repo, commit, store })
        await record({
          type: 'artifact.built',
          data: { commit, contentHash: artifact.contentHash, files: artifact.manifest.files.length },
        })
        say(`artifact ${artifact.contentHash.slice(0, 12)} built from trunk ${commit.slice(0, 12)}`)

        // Staging: its own prefix and flag service; the change must be dark there too.
        const stagingPrefix = `${options.shop.prefix ?? 'firedrill'}-staging`
        // Production's logger (the training console's log view) does not hear staging.
        const { logger: _productionLogger, ...stagingShopOptions } = options.shop
        const stagingShop = await startShopFrom(artifact, {
          ...stagingShopOptions,
          prefix: stagingPrefix,
          apiInstances: 0,
          workers: 0,
        })
        closers.push(() => stagingShop.close())
        const staging = new Environment({
          name: 'staging',
          redisUrl: options.shop.redisUrl,
          prefix: stagingPrefix,
          ports: [0],
        })
        closers.push(() => staging.close())
        await deployArtifact(staging, artifact, { onEvent: deployEvents }).finally(settle)
        if (flag !== undefined) {
          const stagingFlag = (
            await new FlagsHttpClient({
              baseUrl: stagingShop.flagsUrl,
              token: options.shop.flagsToken,
            }).list()
          ).flags.find((f) => f.key === flag)
          if (stagingFlag === undefined || !isFlagOff(stagingFlag)) {
            throw new Error(`staging serves ${flag} on; the change must arrive dark`)
          }
        }
        await record({
          type: 'change.deployed',
          data: { commit, dark: flag !== undefined, artifact: artifact.contentHash, environment: 'staging' },
        })
        say(
          `staging verified on ${artifact.contentHash.slice(0, 12)}${flag === undefined ? '' : ', flag off'}`,
        )

        const verified = artifact
        const mergeCommit = commit
        const promote = (slots?: readonly number[], idle = false) =>
          promoteToProduction({
            loaded,
            repo,
            store,
            verified,
            production,
            record,
            say,
            onEvent: deployEvents,
            ...(slots === undefined ? {} : { slots }),
            idle,
          }).finally(settle)
        // The change reached users (the first batch, the switch, the canary's share): production's history and
        // the journal say so once.
        const wentLive = async (startedAt: number) => {
          deploys.started(verified, base, false, startedAt)
          await record({
            type: 'change.deployed',
            data: {
              commit: mergeCommit,
              dark: false,
              artifact: verified.contentHash,
              environment: 'production',
            },
          })
        }
        if (strategy === 'blue-green') {
          // Green gets the change beside blue, health-checked and smoke-tested while blue takes the traffic; the
          // release is the switch.
          const { refused: stopped } = await deploys.exclusive(() => promote(routing.green, true))
          refused = stopped
          if (!refused) {
            rollOut = async (): Promise<RollOutcome> => {
              if (deploys.rollbackRequested() !== undefined) return 'held'
              const startedAt = options.clock.now()
              await watch.releaseBegins()
              await routing.switchTo('green', 'release-train', 'the release: every request to green at once')
              await wentLive(startedAt)
              watch.deployCompleted(verified, base)
              return 'rolled'
            }
          }
        } else if (routing.canary !== undefined) {
          const canary = routing.canary
          // The canary slot gets the change while it takes no traffic; the first step routes its share to it, the
          // last rolls every instance onto the change and retires the canary.
          const { refused: stopped } = await deploys.exclusive(() => promote([canary], true))
          refused = stopped
          const share = loaded.scenario.release.steps[0]?.percent ?? 0
          let step = 0
          if (!refused)
            rollOut = async (): Promise<RollOutcome> => {
              if (deploys.rollbackRequested() !== undefined) return 'held'
              const startedAt = options.clock.now()
              await watch.releaseBegins()
              if (step++ === 0) {
                await routing.routeCanary(
                  share,
                  'release-train',
                  `the canary instance takes ${share}% of traffic`,
                )
                await wentLive(startedAt)
                return 'rolled'
              }
              await deploys.exclusive(() => promote(routing.blue))
              await routing.routeCanary(0, 'release-train', 'promoted: every instance runs the change')
              watch.deployCompleted(verified, base)
              return 'rolled'
            }
        } else if (strategy === 'rolling') {
          // The deploy is the release: production stays on what it ran until the release rolls each batch.
          let first = true
          const onChange = new Set<number>()
          rollOut = async (slots): Promise<RollOutcome> => {
            // Once someone asked for a rollback, no further batch goes out.
            if (deploys.rollbackRequested() !== undefined) return 'held'
            await watch.releaseBegins()
            const startedAt = options.clock.now()
            try {
              const { refused: stopped } = await deploys.exclusive(() => promote(slots))
              if (stopped)
                throw new Error(`production refused ${verified.contentHash.slice(0, 12)} mid-release`)
            } catch (err) {
              if (!(err instanceof DeployFailedError)) throw err
              await record({
                type: 'deploy.rolled-back',
                data: {
                  environment: 'production',
                  commit: mergeCommit,
                  contentHash: verified.contentHash,
                  rolledBackTo: base.contentHash,
                  check: err.check,
                  detail: err.detail,
                  slots: [...slots],
                  startedAt: new Date(startedAt).toISOString(),
                },
              })
              say(`production's deploy rolled itself back: the ${err.check} check failed (${err.detail})`)
              if (loaded.scenario.change.stoppedBy !== DEPLOY_HEALTH) throw err
              return 'rolled-back'
            }
            if (loaded.scenario.change.stoppedBy === DEPLOY_HEALTH && options.baseRepo === undefined)
              throw new Error(
                `the scenario expects production's rolling deploy to fail its health check and roll back, but ${verified.contentHash.slice(0, 12)} deployed: check change.stoppedBy in ${loaded.file}`,
              )
            if (first) {
              await wentLive(startedAt)
              first = false
            }
            for (const slot of slots) onChange.add(slot)
            // The last batch: every instance runs the change.
            if (routing.blue.every((slot) => onChange.has(slot))) watch.deployCompleted(verified, base)
            return 'rolled'
          }
        } else {
          refused = (await promote()).refused
          if (!refused && workers !== null) {
            // The change is the workers' own code: they roll onto the artifact with the api, dark like it.
            await workers.roll(verified)
            await record({
              type: 'deploy.step',
              data: {
                environment: 'production',
                step: 'workers-rolled',
                commit: verified.commit,
                contentHash: verified.contentHash,
                detail: `${options.shop.workers ?? 1} fulfilment worker(s) now run the change`,
              },
            })
            say(`production's fulfilment workers rolled onto ${verified.contentHash.slice(0, 12)}`)
          }
          if (!refused) {
            deploys.started(verified, base, true)
            await rehearseRollback({
              production,
              current: verified,
              previous: base,
              record,
              say,
              deployEvents,
            }).finally(settle)
          }
        }
      }
    }
    if (!refused && strategy === 'flag-canary' && (options.baseRepo === undefined || commit !== null)) {
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
    closers.push(async () => {
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
        workerMetricsUrls: workers === null ? productionShop.workerMetricsUrls : workers.metricsUrls(),
        close,
      },
    }
  } catch (err) {
    await close()
    throw err
  }
}

/**
 * Before a dark release, production proves it can go back: one api slot rolled back to what production ran before
 * the change and forward again (`proveRollback`), journalled either way. A failed rehearsal stops the drill before
 * the release: the pipeline does not release what it cannot take back.
 */
async function rehearseRollback(options: {
  production: Environment
  current: Artifact
  previous: Artifact
  record: DeployShopOptions['record']
  say(line: string): void
  deployEvents(event: DeployEvent): void
}): Promise<void> {
  const { production, current, previous, record } = options
  const hashes = { current: current.contentHash, previous: previous.contentHash }
  try {
    const proof = await proveRollback(production, current, previous, { onEvent: options.deployEvents })
    await record({
      type: 'rollback.proved',
      data: {
        environment: production.name,
        slot: proof.slot,
        ...hashes,
        backMs: proof.backMs,
        forwardMs: proof.forwardMs,
      },
    })
    options.say(
      `rollback rehearsed on production slot ${proof.slot}: back to ${previous.contentHash.slice(0, 12)} in ${(proof.backMs / 1000).toFixed(1)} s, forward in ${(proof.forwardMs / 1000).toFixed(1)} s`,
    )
  } catch (err) {
    if (!(err instanceof RollbackUnprovenError)) throw err
    await record({
      type: 'rollback.unproven',
      data: { environment: production.name, slot: err.slot, ...hashes, leg: err.leg, detail: err.detail },
    })
    throw err
  }
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

/**
 * Whether the change is the fulfilment workers' own code (a charge retry policy), so production's workers must
 * run it: they are rolled onto the change's artifact with the api. Otherwise they keep the build they started on,
 * as a deploy of the api alone leaves them (the contract-break drill depends on it).
 */
function workersTakeTheChange(loaded: LoadedScenario): boolean {
  return loaded.scenario.change.fault.kind === 'charges-retried-at-once'
}

async function startShopFrom(artifact: Artifact, options: ShopOptions): Promise<RunningShop> {
  const entry = pathToFileURL(join(artifact.dir, 'services', 'shop', 'start-shop.ts')).href
  const { startShop } = (await import(entry)) as { startShop: StartShop }
  return startShop(options)
}

/** Whether a patch applies to trunk's work tree as it is checked out (nothing is changed). */
async function patchApplies(dir: string, patch: string): Promise<boolean> {
  try {
    await git(dir, ['apply', '--check', patch])
    return true
  } catch {
    return false
  }
}

/**
 * The bad change proposed again when its patch no longer applies: trunk with every non-test file `badCommit`
 * changed put back as it had it, committed on `branch` (checked out, as `commitPatch` leaves it).
 */
async function commitPutBack(repo: SandboxRepo, badCommit: string, branch: string, title: string) {
  const trunk = await git(repo.dir, ['rev-parse', repo.trunk])
  const { commit } = await buildReplayCommit(
    repo.dir,
    trunk,
    badCommit,
    `feat: ${title}\n\nThe code of ${badCommit} put back on ${trunk}: the change's patch no longer applies to trunk.`,
  )
  await git(repo.dir, ['checkout', '-q', '-b', branch, commit])
  return commit
}
