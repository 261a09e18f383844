import Fastify from 'fastify'
import { buildFlagsApp } from '../flags/index.ts'
import { DEFAULT_PREFIX } from '../platform/keys.ts'
import { type FulfilmentWorker, startFulfilmentWorker } from '../worker/start-fulfilment-worker.ts'
import type { RunningShop, ShopOptions } from './shop-options.ts'
import { listenApp, startApiInstance } from './start-api-instance.ts'

/**
 * Starts the whole shop in this process: the flags service, `apiInstances` checkout api instances (each with a
 * flag provider and Redis connections of its own, as separate processes would have) and `workers` fulfilment
 * workers, all on loopback and all sharing one Redis. If any part fails to start, what started is stopped.
 */
export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const host = options.host ?? '127.0.0.1'
  const paymentsApiKey = options.paymentsApiKey ?? `sk_test_${prefix}`
  const closers: Array<() => Promise<void>> = []
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {})
    closers.length = 0
  }

  try {
    const flagsApp = await buildFlagsApp({
      redisUrl: options.redisUrl,
      prefix,
      token: options.flagsToken,
      ...(options.logger ? { logger: options.logger.child({ service: 'flags' }) } : {}),
      ...(options.flagsResyncIntervalMs === undefined
        ? {}
        : { resyncIntervalMs: options.flagsResyncIntervalMs }),
    })
    closers.push(() => flagsApp.close())
    const flagsUrl = await listenApp(flagsApp, host, options.flagsPort ?? 0)

    const apiUrls: string[] = []
    const apiInstances = options.apiInstances ?? 2
    const firstPort = options.apiPort ?? 0
    for (let i = 0; i < apiInstances; i++) {
      const api = await startApiInstance({
        redisUrl: options.redisUrl,
        prefix,
        host,
        port: firstPort === 0 ? 0 : firstPort + i,
        instance: i,
        processMetrics: i === 0,
        ...(options.flagsResyncIntervalMs === undefined
          ? {}
          : { flagsResyncIntervalMs: options.flagsResyncIntervalMs }),
        ...(options.logger ? { logger: options.logger } : {}),
      })
      closers.push(() => api.close())
      apiUrls.push(api.url)
    }

    const workerMetricsUrls: string[] = []
    for (let i = 0; i < (options.workers ?? 1); i++) {
      const worker: FulfilmentWorker = await startFulfilmentWorker({
        redisUrl: options.redisUrl,
        prefix,
        apiKey: paymentsApiKey,
        concurrency: options.workerConcurrency ?? 4,
        ...(options.logger ? { logger: options.logger.child({ service: 'worker', instance: i }) } : {}),
      })
      closers.push(() => worker.close())
      const metricsApp = Fastify({ logger: false })
      metricsApp.get('/metrics', async (_request, reply) => {
        reply.header('content-type', worker.registry.contentType)
        return worker.registry.metrics()
      })
      closers.push(() => metricsApp.close())
      workerMetricsUrls.push(`${await listenApp(metricsApp, host, 0)}/metrics`)
    }

    let closing: Promise<void> | undefined
    return {
      apiUrls,
      flagsUrl,
      workerMetricsUrls,
      prefix,
      paymentsApiKey,
      close: () => {
        closing ??= closeAll()
        return closing
      },
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
