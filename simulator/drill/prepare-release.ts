import type { Artifact } from '../../gate/build/artifact.ts'
import type { DeployEvent } from '../../gate/deploy/deploy-event.ts'
import type { Environment } from '../../gate/deploy/environment.ts'
import { proveRollback } from '../../gate/deploy/prove-rollback.ts'
import { DeployFailedError, RollbackUnprovenError } from '../../gate/gate-errors.ts'
import type { DeployPipeline, ProductionBeforeChange } from './deploy-pipeline.ts'
import type { DeployedShop, DeployShopOptions, RollOutcome } from './deployed-shop.ts'
import { workersStep } from './production-deploys.ts'
import { DEPLOY_HEALTH, promoteToProduction } from './promote-to-production.ts'

/** How production takes the verified change: refused (as the scenario expects), and how the release rolls it out. */
interface PreparedRelease {
  refused: boolean
  rollOut?: DeployedShop['rollOut']
}

/** What each strategy's preparation works with. */
interface Release {
  pipeline: DeployPipeline
  before: ProductionBeforeChange
  verified: Artifact
  /** Production (some of its slots, or all, idle or not) onto the verified change, through its tag. */
  promote(slots?: readonly number[], idle?: boolean): Promise<{ refused: boolean }>
  /** The change reached users (the first batch, the switch, the canary's share): said once. */
  wentLive(startedAt: number): Promise<void>
  /**
   * A release step begins: the post-deploy watch takes production's baseline, and the step's start time is
   * returned; `held` once someone has asked for a rollback, so nothing more goes out.
   */
  beginStep(): Promise<number | 'held'>
  /**
   * The change runs on every api instance: production's workers follow it onto the verified build, or stay on
   * the build before, as the scenario's `release.workers` says; journalled either way.
   */
  workersFollow(): Promise<void>
  /** The same, in the background while the release goes on (a failure is journalled and said). */
  workersFollowBeside(): void
  mergeCommit: string
}

/**
 * Production made ready for the release of the change staging verified, as the release strategy has it:
 * blue-green (green beside blue), an instance canary (the canary slot beside the others), rolling (nothing until
 * the release rolls each batch), or a flag canary (every instance onto the change, dark, its rollback rehearsed).
 */
export async function prepareRelease(
  pipeline: DeployPipeline,
  before: ProductionBeforeChange,
  verified: Artifact,
  mergeCommit: string,
): Promise<PreparedRelease> {
  const { options, store } = pipeline
  const { loaded, record, say } = options
  const { repo, production, deploys, base, routing } = before
  const release: Release = {
    pipeline,
    before,
    verified,
    mergeCommit,
    promote: (slots, idle = false) =>
      promoteToProduction({
        loaded,
        repo,
        store,
        verified,
        production,
        record,
        say,
        onEvent: pipeline.deployEvents,
        ...(slots === undefined ? {} : { slots }),
        idle,
      }).finally(pipeline.settle),
    wentLive: async (startedAt) => {
      deploys.started(verified, base, false, startedAt)
      await record({
        type: 'change.deployed',
        data: { commit: mergeCommit, dark: false, artifact: verified.contentHash, environment: 'production' },
      })
    },
    beginStep: async () => {
      if (deploys.rollbackRequested() !== undefined) return 'held'
      await before.watch.releaseBegins()
      return options.clock.now()
    },
    workersFollow: () => workersFollow(release),
    workersFollowBeside: () => {
      workersFollow(release).catch(async (err: unknown) => {
        const why = (err as Error).message
        say(`production's fulfilment workers did not follow the change: ${why}`)
        await workersStep(record, 'workers-roll-failed', verified, why).catch(() => {})
      })
    },
  }
  if (loaded.scenario.release.strategy === 'blue-green') return greenBesideBlue(release)
  if (routing.canary !== undefined) return canaryBesideTheOthers(release, routing.canary)
  if (loaded.scenario.release.strategy === 'rolling')
    return { refused: false, rollOut: rollingBatches(release) }
  return promoteDark(release)
}

/**
 * Green gets the change beside blue, health-checked and smoke-tested while blue takes the traffic; the release is
 * the switch.
 */
async function greenBesideBlue(release: Release): Promise<PreparedRelease> {
  const { deploys, routing, watch, base } = release.before
  const { refused } = await deploys.exclusive(() => release.promote(routing.green, true))
  if (refused) return { refused }
  return {
    refused,
    rollOut: async (): Promise<RollOutcome> => {
      const startedAt = await release.beginStep()
      if (startedAt === 'held') return 'held'
      await routing.switchTo('green', 'release-train', 'the release: every request to green at once')
      await release.wentLive(startedAt)
      watch.deployCompleted(release.verified, base)
      release.workersFollowBeside()
      return 'rolled'
    },
  }
}

/**
 * The canary slot gets the change while it takes no traffic; the first step routes its share to it, the last
 * rolls every instance onto the change and retires the canary.
 */
async function canaryBesideTheOthers(release: Release, canary: number): Promise<PreparedRelease> {
  const { deploys, routing, watch, base } = release.before
  const { loaded } = release.pipeline.options
  const { refused } = await deploys.exclusive(() => release.promote([canary], true))
  const share = loaded.scenario.release.steps[0]?.percent ?? 0
  let step = 0
  if (refused) return { refused }
  return {
    refused,
    rollOut: async (): Promise<RollOutcome> => {
      const startedAt = await release.beginStep()
      if (startedAt === 'held') return 'held'
      if (step++ === 0) {
        await routing.routeCanary(share, 'release-train', `the canary instance takes ${share}% of traffic`)
        await release.wentLive(startedAt)
        return 'rolled'
      }
      await deploys.exclusive(() => release.promote(routing.blue))
      await routing.routeCanary(0, 'release-train', 'promoted: every instance runs the change')
      watch.deployCompleted(release.verified, base)
      release.workersFollowBeside()
      return 'rolled'
    },
  }
}

/**
 * The deploy is the release: production stays on what it ran until the release rolls each batch. A batch whose
 * new instances fail their health check is rolled back by the deploy itself (`deploy.rolled-back`).
 */
function rollingBatches(release: Release): NonNullable<DeployedShop['rollOut']> {
  const { deploys, base, watch, routing } = release.before
  const { loaded, record, say, baseRepo } = release.pipeline.options
  const { verified, mergeCommit } = release
  let first = true
  const onChange = new Set<number>()
  return async (slots): Promise<RollOutcome> => {
    const startedAt = await release.beginStep()
    if (startedAt === 'held') return 'held'
    try {
      const { refused: stopped } = await deploys.exclusive(() => release.promote(slots))
      if (stopped) throw new Error(`production refused ${verified.contentHash.slice(0, 12)} mid-release`)
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
    if (loaded.scenario.change.stoppedBy === DEPLOY_HEALTH && baseRepo === undefined)
      throw new Error(
        `the scenario expects production's rolling deploy to fail its health check and roll back, but ${verified.contentHash.slice(0, 12)} deployed: check change.stoppedBy in ${loaded.file}`,
      )
    if (first) {
      await release.wentLive(startedAt)
      first = false
    }
    for (const slot of slots) onChange.add(slot)
    // The last batch: every instance runs the change.
    if (routing.blue.every((slot) => onChange.has(slot))) {
      watch.deployCompleted(verified, base)
      release.workersFollowBeside()
    }
    return 'rolled'
  }
}

/**
 * A flag canary: every instance onto the change, dark (the workers follow, unless the scenario keeps them), then
 * the rollback rehearsed before anything is released.
 */
async function promoteDark(release: Release): Promise<PreparedRelease> {
  const { deploys, production, base } = release.before
  const { options } = release.pipeline
  const { record, say } = options
  const { verified } = release
  const { refused } = await release.promote()
  if (refused) return { refused }
  await release.workersFollow()
  deploys.started(verified, base, true)
  await rehearseRollback({
    production,
    current: verified,
    previous: base,
    record,
    say,
    deployEvents: release.pipeline.deployEvents,
  }).finally(release.pipeline.settle)
  return { refused }
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

/** Production's workers onto the verified build with the api, or kept on the build before: journalled. */
async function workersFollow(release: Release): Promise<void> {
  const { workers, base } = release.before
  const { options } = release.pipeline
  const { loaded, record, say } = options
  const { verified } = release
  const count = options.shop.workers ?? 1
  if (loaded.scenario.release.workers === 'keep') {
    await workersStep(
      record,
      'workers-kept',
      base,
      `${count} fulfilment worker(s) left on the build before the change, by the scenario's release.workers: keep`,
    )
    say(`production's fulfilment workers kept on ${base.contentHash.slice(0, 12)} (release.workers: keep)`)
    return
  }
  await workers.roll(verified)
  await workersStep(record, 'workers-rolled', verified, `${count} fulfilment worker(s) now run the change`)
  say(`production's fulfilment workers rolled onto ${verified.contentHash.slice(0, 12)}`)
}
