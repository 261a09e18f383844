import { Queue } from 'bullmq'
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import type { FulfilmentJobData } from '../orders/fulfilment-job.ts'
import { RedisOrderStore } from '../orders/redis-order-store.ts'
import { healthRoutes } from '../platform/health/health-routes.ts'
import { DEFAULT_PREFIX, FULFILMENT_QUEUE, keyspace } from '../platform/keys.ts'
import type { Logger } from '../platform/logger.ts'
import { httpMetricsPlugin } from '../platform/metrics/http-metrics-plugin.ts'
import { createRedisConnection, waitForReady } from '../platform/redis/redis-connection.ts'
import { ApiErrorCode } from './api-errors.ts'
import { createApiMetrics } from './api-metrics.ts'
import type { FlagEvaluator } from './flag-evaluator.ts'
import { orderRoutes } from './orders/order-routes.ts'

export interface ApiOptions {
  redisUrl: string
  /** Key prefix shared by the whole shop. @defaultValue 'firedrill' */
  prefix?: string
  flags: FlagEvaluator
  /** pino logger; @defaultValue no logging */
  logger?: Logger
  /** Metrics registry for this instance. @defaultValue a new one */
  registry?: Registry
  /** Collect process metrics (heap, event loop lag) into the registry. @defaultValue false */
  processMetrics?: boolean
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/**
 * Builds the checkout api (routes, schemas, metrics, its Redis connections) without listening.
 * Closing the app closes its connections.
 */
export async function buildApp(options: ApiOptions): Promise<FastifyInstance> {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const keys = keyspace(prefix)
  const registry = options.registry ?? new Registry()
  const redis = createRedisConnection(options.redisUrl, 'command')
  const queueConnection = createRedisConnection(options.redisUrl, 'command')
  const queue = new Queue<FulfilmentJobData>(FULFILMENT_QUEUE, {
    connection: queueConnection,
    prefix: keys.bullPrefix,
  })
  queue.on('error', () => {})
  // Start serving only once Redis answers, or after a short wait: a shop started while Redis is down still
  // answers /healthz, and /readyz and writes say 503 until Redis comes back.
  await Promise.allSettled([waitForReady(redis, 2000), waitForReady(queueConnection, 2000)])

  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } },
  })

  app.setErrorHandler((error: FastifyError & { code?: string }, request, reply) => {
    if (error.validation) {
      const where = error.validationContext ?? 'body'
      const first = error.validation[0]
      const field = first ? `${where}${first.instancePath.replaceAll('/', '.')}` : where
      const detail =
        first?.keyword === 'additionalProperties'
          ? `has an unknown property "${String(first.params.additionalProperty)}"`
          : (first?.message ?? 'is invalid')
      return reply.code(400).send({
        statusCode: 400,
        code: ApiErrorCode.INVALID_REQUEST,
        error: 'Bad Request',
        message: `${field} ${detail}.`,
      })
    }
    if (error.code === ApiErrorCode.STORE_UNAVAILABLE) {
      request.log.warn({ err: error.cause }, 'order store unavailable')
      return reply.code(503).send({
        statusCode: 503,
        code: ApiErrorCode.STORE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: error.message,
      })
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(error.statusCode).send({
        statusCode: error.statusCode,
        code: ApiErrorCode.INVALID_REQUEST,
        error: 'Bad Request',
        message: error.message,
      })
    }
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({
      statusCode: 500,
      code: ApiErrorCode.INTERNAL,
      error: 'Internal Server Error',
      message: 'The order could not be processed.',
    })
  })

  await app.register(httpMetricsPlugin, { registry, processMetrics: options.processMetrics ?? false })
  await app.register(healthRoutes, {
    checks: {
      redis: async () => {
        await redis.ping()
      },
      queue: async () => {
        await queue.getWaitingCount()
      },
    },
  })
  await app.register(orderRoutes, {
    store: new RedisOrderStore(redis, prefix),
    queue,
    flags: options.flags,
    metrics: createApiMetrics(registry),
    now: options.now ?? (() => new Date()),
  })

  app.addHook('onClose', async () => {
    await queue.close()
    await Promise.allSettled([redis.quit(), queueConnection.quit()])
  })
  return app
}
