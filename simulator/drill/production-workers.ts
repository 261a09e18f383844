import type { Artifact } from '../../gate/build/artifact.ts'
import { type ShopProcess, startShopProcess } from '../../services/shop/process/start-shop-process.ts'
import { type DrillShopOptions, shopLogLevel } from './deployed-shop.ts'

/**
 * Production's fulfilment workers, each a process of its own started from an artifact's code, with its
 * `/metrics` on a loopback port of its own. Rolling starts the new build's workers beside the old ones and then
 * lets the old ones finish the jobs in hand and stop, so the queue is never without a worker.
 */
export class ProductionWorkers {
  readonly #shop: DrillShopOptions
  readonly #apiKey: string
  #running: ShopProcess[] = []
  #artifact: Artifact | null = null
  /** Rolls, rollbacks and the close run one after another, in the order asked. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(shop: DrillShopOptions, apiKey: string) {
    this.#shop = shop
    this.#apiKey = apiKey
  }

  /** The build the workers run (null before the first start). */
  get artifact(): Artifact | null {
    return this.#artifact
  }

  /** Each worker's `/metrics` URL. */
  metricsUrls(): string[] {
    return this.#running.map((worker) => worker.metricsUrl)
  }

  /** Each worker's process id. */
  pids(): number[] {
    return this.#running.map((worker) => worker.pid)
  }

  /** Starts the workers from `artifact` (beside any running ones, which then stop), after any roll under way. */
  roll(artifact: Artifact): Promise<void> {
    return this.#serially(() => this.#roll(artifact))
  }

  /**
   * Once any roll under way is done, rolls the workers onto `to` when they run `from` (then `after` runs, still
   * in turn); resolves whether they rolled.
   */
  rollBack(from: Artifact, to: Artifact, after: () => Promise<unknown>): Promise<boolean> {
    return this.#serially(async () => {
      if (this.#artifact?.contentHash !== from.contentHash) return false
      await this.#roll(to)
      await after()
      return true
    })
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => {})
    return run
  }

  async #roll(artifact: Artifact): Promise<void> {
    const starts = Array.from({ length: this.#shop.workers ?? 1 }, (_, i) =>
      startShopProcess(artifact.dir, {
        role: 'worker',
        instance: `production-${i}`,
        redisUrl: this.#shop.redisUrl,
        prefix: this.#shop.prefix ?? 'firedrill',
        host: this.#shop.host ?? '127.0.0.1',
        paymentsApiKey: this.#apiKey,
        workerConcurrency: this.#shop.workerConcurrency ?? 4,
        logLevel: shopLogLevel(this.#shop),
        output: 'capture',
        ...(this.#shop.onLogLine === undefined ? {} : { onOutputLine: this.#shop.onLogLine }),
        ...(this.#shop.flagsResyncIntervalMs === undefined
          ? {}
          : { flagsResyncIntervalMs: this.#shop.flagsResyncIntervalMs }),
      }),
    )
    const settled = await Promise.allSettled(starts)
    const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed !== undefined) {
      await stopAll(started)
      throw failed.reason
    }
    const previous = this.#running
    this.#running = started
    this.#artifact = artifact
    await stopAll(previous)
  }

  /** After any roll under way, lets every worker finish the jobs in hand, then stops it. */
  close(): Promise<void> {
    return this.#serially(async () => {
      const running = this.#running
      this.#running = []
      await stopAll(running)
    })
  }
}

async function stopAll(running: readonly ShopProcess[]): Promise<void> {
  await Promise.all(running.map((worker) => worker.stop()))
}
