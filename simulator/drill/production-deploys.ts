import type { Artifact } from '../../gate/build/artifact.ts'
import { deployArtifact } from '../../gate/deploy/deploy-artifact.ts'
import type { DeployEvent } from '../../gate/deploy/deploy-event.ts'
import type { Environment, SlotReport } from '../../gate/deploy/environment.ts'
import type { Clock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { SeenDeploy } from './responders/diagnose.ts'
import { servedArtifacts } from './served-artifacts.ts'

/** One rollout of an artifact to production, as its deploy history keeps it. */
interface Rollout {
  artifact: Artifact
  previous: Artifact | null
  dark: boolean
  at: string
  /** This rollout is a rollback: of which artifact, and who asked. */
  rollbackOf?: { artifact: string; by: string }
}

/** What became of production's workers (`workers-rolled`, `workers-kept`, `workers-roll-failed`): a deploy step. */
export function workersStep(
  record: (event: NewJournalEvent) => Promise<unknown>,
  step: 'workers-rolled' | 'workers-kept' | 'workers-roll-failed',
  artifact: Pick<Artifact, 'commit' | 'contentHash'>,
  detail: string,
): Promise<unknown> {
  return record({
    type: 'deploy.step',
    data: {
      environment: 'production',
      step,
      commit: artifact.commit,
      contentHash: artifact.contentHash,
      detail,
    },
  })
}

/** Production's workers, as a rollback sees them. */
export interface RollbackWorkers {
  /** Once any roll under way is done: onto `to` if they run `from`, then `after`. */
  rollBack(from: Artifact, to: Artifact, after: () => Promise<unknown>): Promise<boolean>
}

/** A rollback someone asked for. */
export interface RollbackRequest {
  by: string
  reason: string
  from: Artifact
  to: Artifact
}

/**
 * Production's deploy history and its rollback, the controls an on-call engineer has over deploys: what went
 * out when (and what ran before it), and "put production back on what it ran before the latest deploy", which
 * rolls every api instance back through the same health-checked deploy as any other.
 */
export class ProductionDeploys {
  readonly #production: Environment
  readonly #record: (event: NewJournalEvent) => Promise<unknown>
  readonly #onEvent: (event: DeployEvent) => void
  readonly #settle: () => Promise<void>
  readonly #clock: Clock
  readonly #deploy: typeof deployArtifact
  readonly #goBack: ((request: RollbackRequest) => Promise<boolean>) | undefined
  readonly #liveSlots: (() => readonly number[]) | undefined
  readonly #workers: RollbackWorkers | undefined
  readonly #history: Rollout[] = []
  #rollback: RollbackRequest | undefined
  /** The rollback under way: a second request while it runs is the same rollback, not another. */
  #rollingBack: Promise<RollbackRequest> | undefined
  /** The deploy running now (or the last one): deploys to production go one after another. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(options: {
    production: Environment
    record(event: NewJournalEvent): Promise<unknown>
    onEvent(event: DeployEvent): void
    /** Waits for the journal writes `onEvent` started. */
    settle(): Promise<void>
    clock: Clock
    /** How an artifact is rolled out to production. @defaultValue deployArtifact */
    deploy?: typeof deployArtifact
    /**
     * How production goes back to `request.to`, where the release strategy has a quicker way than a redeploy (a
     * blue-green release switches traffic back to the slots that still run it): resolves false to redeploy
     * instead. @defaultValue a health-checked redeploy of every slot
     */
    goBack?: (request: RollbackRequest) => Promise<boolean>
    /** The slots taking traffic now. @defaultValue every slot */
    liveSlots?: () => readonly number[]
    /** Production's workers: a rollback takes those that run the build rolled back from back with the api. */
    workers?: RollbackWorkers
  }) {
    this.#workers = options.workers
    this.#liveSlots = options.liveSlots
    this.#deploy = options.deploy ?? deployArtifact
    this.#goBack = options.goBack
    this.#production = options.production
    this.#record = options.record
    this.#onEvent = options.onEvent
    this.#settle = options.settle
    this.#clock = options.clock
  }

  /**
   * Notes a rollout that started `at` (epoch ms, default now): the first batch of a rolling release once it
   * is up, or a whole deploy.
   */
  started(artifact: Artifact, previous: Artifact | null, dark: boolean, at = this.#clock.now()): void {
    const last = this.#history.at(-1)
    if (last?.artifact.contentHash === artifact.contentHash) return
    this.#history.push({ artifact, previous, dark, at: new Date(at).toISOString() })
  }

  /** What production has run, oldest first. */
  history(): SeenDeploy[] {
    return this.#history.map((r) => ({
      commit: r.artifact.commit,
      artifact: r.artifact.contentHash,
      previous: r.previous?.contentHash ?? null,
      dark: r.dark,
      at: r.at,
      ...(r.rollbackOf === undefined ? {} : { rollbackOf: { ...r.rollbackOf } }),
    }))
  }

  /**
   * Runs a deploy to production once the one before it has finished, as a pipeline's deploy lock does: a
   * rollback asked for while a release batch rolls out waits for that batch, then undoes it with the rest.
   */
  exclusive<T>(deploy: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(deploy, deploy)
    this.#queue = run.catch(() => {})
    return run
  }

  /** What each of production's api slots runs now, and whether it takes traffic. */
  slots(): (SlotReport & { live: boolean })[] {
    const live = this.#liveSlots?.()
    return this.#production
      .current()
      .map((s) => ({ ...s, live: live === undefined || live.includes(s.slot) }))
  }

  /** The rollback asked for, if any. */
  rollbackRequested(): RollbackRequest | undefined {
    return this.#rollback
  }

  /**
   * Rolls production back to what it ran before its latest deploy, every slot, health-checked. Journals who
   * asked and why first; the drill journals the mitigation when it sees every instance answer from it.
   */
  rollback(by: string, reason: string): Promise<RollbackRequest> {
    this.#rollingBack ??= this.#rollBack(by, reason).finally(() => {
      this.#rollingBack = undefined
    })
    return this.#rollingBack
  }

  async #rollBack(by: string, reason: string): Promise<RollbackRequest> {
    const latest = this.#history.at(-1)
    if (latest?.rollbackOf !== undefined && latest.previous === null)
      throw new Error(
        `production has no earlier artifact to roll back to: it was already rolled back from ${latest.rollbackOf.artifact.slice(0, 12)} to ${latest.artifact.contentHash.slice(0, 12)} by ${latest.rollbackOf.by} at ${latest.at}`,
      )
    if (latest === undefined || latest.previous === null)
      throw new Error('production has no earlier artifact to roll back to')
    const request = { by, reason, from: latest.artifact, to: latest.previous }
    this.#rollback = request
    await this.#record({
      type: 'rollback.requested',
      data: {
        by,
        reason,
        from: latest.artifact.contentHash,
        to: latest.previous.contentHash,
        commit: latest.previous.commit,
      },
    })
    // In the history from the moment it is asked for, so whoever looks next sees production on its way back (and
    // does not ask again); back on `to` as it first went out: a second rollback goes to what ran before it, never
    // forward again to the artifact just rolled back.
    const back: Rollout = {
      artifact: latest.previous,
      previous:
        this.#history.find((r) => r.artifact.contentHash === request.to.contentHash)?.previous ?? null,
      dark: false,
      at: new Date(this.#clock.now()).toISOString(),
      rollbackOf: { artifact: request.from.contentHash, by },
    }
    this.#history.push(back)
    const goBack = this.#goBack
    try {
      await this.exclusive(async () => {
        if (goBack === undefined || !(await goBack(request)))
          await this.#deploy(this.#production, request.to, { onEvent: this.#onEvent }).finally(() =>
            this.#settle(),
          )
        // The workers follow in the background, after any roll of theirs under way: the api's way back does not
        // wait for them.
        this.#workersBack(request)
      })
    } catch (err) {
      this.#history.splice(this.#history.indexOf(back), 1)
      throw err
    }
    return request
  }

  /** The workers follow the api back, when they run the build it left; journalled either way it ends. */
  #workersBack(request: RollbackRequest): void {
    const step = (step: 'workers-rolled' | 'workers-roll-failed', detail: string) =>
      workersStep(this.#record, step, request.to, detail)
    this.#workers
      ?.rollBack(request.from, request.to, () =>
        step('workers-rolled', `the fulfilment workers rolled back with the api, by ${request.by}`),
      )
      .catch((err: unknown) =>
        step('workers-roll-failed', `the fulfilment workers could not roll back: ${(err as Error).message}`),
      )
      .catch(() => {})
  }
}

/**
 * Waits until every api instance taking traffic (`urls`, read on each look) answers from the artifact with
 * content hash `to`, by the header each sends: the drill sees the rollback take effect, whoever made it.
 */
export async function waitForArtifact(
  urls: () => readonly string[],
  to: string,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    if ((await servedArtifacts(urls())).every((h) => h === to)) return
    await clock.sleep(100, signal)
  }
}
