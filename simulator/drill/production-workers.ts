import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Artifact } from '../../gate/build/artifact.ts'
import type { ShopOptions } from '../../services/shop/shop-options.ts'
import type {
  FulfilmentWorker,
  FulfilmentWorkerOptions,
} from '../../services/worker/start-fulfilment-worker.ts'

type StartFulfilmentWorker = (options: FulfilmentWorkerOptions) => Promise<FulfilmentWorker>

interface RunningWorker {
  worker: FulfilmentWorker
  metrics: Server
  url: string
}

/**
 * Production's fulfilment workers, run apart from the rest of the shop so a deploy can roll them: each worker is
 * started from an artifact's own code, with its `/metrics` on a loopback port of its own. Rolling starts the new
 * build's workers beside the old ones and then lets the old ones finish the jobs in hand and stop, so the queue is
 * never without a worker.
 */
export class ProductionWorkers {
  readonly #shop: ShopOptions
  readonly #apiKey: string
  #running: RunningWorker[] = []
  #artifact: Artifact | null = null

  constructor(shop: ShopOptions, apiKey: string) {
    this.#shop = shop
    this.#apiKey = apiKey
  }

  /** The build the workers run (null before the first start). */
  get artifact(): Artifact | null {
    return this.#artifact
  }

  /** Each worker's `/metrics` URL. */
  metricsUrls(): string[] {
    return this.#running.map((r) => r.url)
  }

  /** Starts the workers from `artifact` (beside any running ones, which then stop). */
  async roll(artifact: Artifact): Promise<void> {
    const entry = pathToFileURL(join(artifact.dir, 'services', 'worker', 'start-fulfilment-worker.ts')).href
    const { startFulfilmentWorker } = (await import(entry)) as {
      startFulfilmentWorker: StartFulfilmentWorker
    }
    const started: RunningWorker[] = []
    try {
      for (let i = 0; i < (this.#shop.workers ?? 1); i++) {
        const worker = await startFulfilmentWorker({
          redisUrl: this.#shop.redisUrl,
          prefix: this.#shop.prefix ?? 'firedrill',
          apiKey: this.#apiKey,
          concurrency: this.#shop.workerConcurrency ?? 4,
          ...(this.#shop.logger
            ? { logger: this.#shop.logger.child({ service: 'worker', instance: i }) }
            : {}),
        })
        const { metrics, url } = await serveMetrics(worker, this.#shop.host ?? '127.0.0.1').catch(
          async (err: unknown) => {
            await worker.close()
            throw err
          },
        )
        started.push({ worker, metrics, url })
      }
    } catch (err) {
      await closeAll(started)
      throw err
    }
    const previous = this.#running
    this.#running = started
    this.#artifact = artifact
    await closeAll(previous)
  }

  /** Lets every worker finish the jobs in hand, then stops it. */
  async close(): Promise<void> {
    const running = this.#running
    this.#running = []
    await closeAll(running)
  }
}

async function serveMetrics(worker: FulfilmentWorker, host: string) {
  const metrics = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    worker.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': worker.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    metrics.once('error', reject)
    metrics.listen(0, host, () => resolve())
  })
  const { port } = metrics.address() as AddressInfo
  return { metrics, url: `http://${host}:${port}/metrics` }
}

async function closeAll(running: readonly RunningWorker[]): Promise<void> {
  await Promise.all(
    running.map(async ({ worker, metrics }) => {
      await worker.close().catch(() => {})
      metrics.closeAllConnections()
      await new Promise<void>((resolve) => metrics.close(() => resolve()))
    }),
  )
}
