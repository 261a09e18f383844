import Fastify from 'fastify'
import type { Logger } from '../../platform/logger.ts'
import { startFulfilmentWorker } from '../../worker/start-fulfilment-worker.ts'
import { listenApp } from '../start-api-instance.ts'
import type { RunningShopPart } from './running-shop-part.ts'
import type { ShopPartConfig } from './shop-part-config.ts'

/** A fulfilment worker, with a small server for its `/metrics` and `/healthz` on the configured port. */
export async function startWorkerPart(config: ShopPartConfig, logger?: Logger): Promise<RunningShopPart> {
  const worker = await startFulfilmentWorker({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    apiKey: config.paymentsApiKey,
    concurrency: config.workerConcurrency,
    stalledIntervalMs: config.workerStalledIntervalMs,
    lockDurationMs: config.workerLockDurationMs,
    flagsResyncIntervalMs: config.flagsResyncIntervalMs,
    ...(logger === undefined ? {} : { logger: logger.child({ service: 'worker' }) }),
  })
  const server = Fastify({ logger: false })
  server.get('/healthz', async () => ({ status: 'ok' }))
  server.get('/metrics', async (_request, reply) => {
    reply.header('content-type', worker.registry.contentType)
    return worker.registry.metrics()
  })
  try {
    const url = await listenApp(server, config.host, config.port)
    let closing: Promise<void> | undefined
    return {
      role: 'worker',
      instance: config.instance,
      url,
      metricsUrl: `${url}/metrics`,
      close: () => {
        closing ??= (async () => {
          await worker.close()
          await server.close()
        })()
        return closing
      },
    }
  } catch (err) {
    await server.close().catch(() => {})
    await worker.close().catch(() => {})
    throw err
  }
}
