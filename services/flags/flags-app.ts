import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { Counter, Registry } from 'prom-client'
import { healthRoutes } from '../platform/health/health-routes.ts'
import { DEFAULT_PREFIX } from '../platform/keys.ts'
import type { Logger } from '../platform/logger.ts'
import { httpMetricsPlugin } from '../platform/metrics/http-metrics-plugin.ts'
import {
  closeConnection,
  createRedisConnection,
  isRedisUnavailable,
} from '../platform/redis/redis-connection.ts'
import { createFlagStore } from './create-flag-store.ts'
import { flagAdminRoutes } from './flag-admin-routes.ts'
import { type FlagStoreGuardian, startFlagStoreGuardian } from './flag-store-guardian.ts'
import {
  FlagChangeInvalidError,
  FlagNotFoundError,
  FlagStoreUnavailableError,
  FlagsErrorCode,
} from './flags-errors.ts'
import { DEFAULT_FLAGS_FILE, loadFlagsFile } from './load-flags-file.ts'
import { ofrepRoutes } from './ofrep-routes.ts'
import { RedisFlagProvider } from './redis-flag-provider.ts'

export interface FlagsAppOptions {
  /** A redis:// URL; or pass `redis`, a connection the app borrows (and does not close). */
  redisUrl?: string
  redis?: Redis
  /** @defaultValue 'firedrill' */
  prefix?: string
  /** The bearer token that `PUT /flags/:key` requires (see `resolveFlagsToken`). */
  token: string
  /** A pino logger for request logs. @defaultValue no logging */
  logger?: Logger
  /**
   * A flagd flags file written into the store when the app starts, if the store holds no flags yet; false
   * to seed nothing. @defaultValue the shop's `services/flags/flags.json`
   */
  seedFile?: string | false
  /** How often the app's own provider (for OFREP) resyncs. @defaultValue 5000 */
  resyncIntervalMs?: number
  /**
   * How often the app checks that the store is whole (written back if Redis came back empty) and puts back
   * flags whose lease lapsed. @defaultValue 500
   */
  guardIntervalMs?: number
}

/**
 * The flags service: flag inventory, token-guarded flips with an audit log, OFREP evaluation, health and
 * metrics. Built apart from `listen` (fastify's testing guide); `ready()` seeds the store and loads the
 * definitions, and `close()` closes every connection the app opened.
 */
export async function buildFlagsApp(options: FlagsAppOptions): Promise<FastifyInstance> {
  const redis = options.redis ?? options.redisUrl
  if (redis === undefined) throw new TypeError('buildFlagsApp needs redisUrl or redis')
  if (options.token === '') throw new TypeError('buildFlagsApp needs a non-empty token')
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const seedFile = options.seedFile ?? DEFAULT_FLAGS_FILE

  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
  })
  // TypeBox checks bodies as they are (no coercion, unknown keys refused) and converts query strings.
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  const store = createFlagStore({ redis, prefix })
  const provider = new RedisFlagProvider({
    redis,
    prefix,
    ...(options.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: options.resyncIntervalMs }),
    // The app's guardian watches the leases for this process.
    watchLeases: false,
  })
  const guardConnection =
    typeof redis === 'string'
      ? createRedisConnection(redis, 'command')
      : redis.duplicate({ maxRetriesPerRequest: 1, enableOfflineQueue: false })
  guardConnection.on('error', () => {})
  let guardian: FlagStoreGuardian | undefined
  const registry = new Registry()
  const changes = new Counter({
    name: 'flag_changes_total',
    help: 'Flag changes accepted through PUT /flags/:key, by flag.',
    labelNames: ['flag'] as const,
    registers: [registry],
  })

  app.addHook('onReady', async () => {
    if (seedFile !== false && (await store.seedIfEmpty(await loadFlagsFile(seedFile))))
      app.log.info({ file: seedFile }, 'flag store seeded')
    guardian = startFlagStoreGuardian({
      store,
      redis: guardConnection,
      prefix,
      ...(options.guardIntervalMs === undefined ? {} : { intervalMs: options.guardIntervalMs }),
      onRestored: (flags) => app.log.warn({ flags }, 'flag store came back empty: definitions written back'),
      onReverted: ({ change, reason }) =>
        app.log.warn({ flag: change.target, reason }, 'lease lapsed: flag put back'),
      onError: (err) => app.log.debug({ err }, 'flag store guard check failed'),
    })
    // Before serving: whatever a dead drill left on is put back first.
    await guardian.check()
    await provider.initialize()
  })
  app.addHook('onClose', async () => {
    guardian?.stop()
    await provider.onClose()
    await store.close()
    await closeConnection(guardConnection)
  })

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.validation) {
      const [first] = error.validation
      const field = fieldOf(first?.instancePath, first?.params)
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        code: FlagsErrorCode.FLAGS_REQUEST_INVALID,
        message: `${error.validationContext ?? 'request'}${field ? `.${field}` : ''}: ${first?.message ?? error.message}${
          FIELD_HINTS[field] ? ` (${FIELD_HINTS[field]})` : ''
        }`,
        ...(field ? { field } : {}),
      })
    }
    if (error instanceof FlagChangeInvalidError)
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        code: error.code,
        message: error.message,
        field: error.field,
      })
    if (error instanceof FlagStoreUnavailableError)
      return reply
        .code(503)
        .send({ statusCode: 503, error: 'Service Unavailable', code: error.code, message: error.message })
    if (error instanceof FlagNotFoundError)
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', code: error.code, message: error.message })
    if (isRedisUnavailable(error))
      return reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        code: FlagsErrorCode.FLAG_STORE_UNAVAILABLE,
        message: `The flag store (Redis) is unreachable (${error.message}); evaluation keeps serving the last known values. Try again once Redis is back.`,
      })
    const status = error.statusCode ?? 500
    if (status < 500)
      return reply.code(status).send({
        statusCode: status,
        error: 'Bad Request',
        code: error.code ?? 'FST_ERR',
        message: error.message,
      })
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({
      statusCode: 500,
      error: 'Internal Server Error',
      code: error.code ?? 'ERR',
      message: error.message,
    })
  })

  await app.register(httpMetricsPlugin, { registry })

  await app.register(healthRoutes, { checks: { redis: () => store.ping() } })
  await app.register(flagAdminRoutes, {
    store,
    provider,
    token: options.token,
    changes,
    keepWhole: async () => {
      await guardian?.check()
    },
    onChanged: (flag, definition, revision) => guardian?.noteChange(flag, definition, revision),
  })
  await app.register(ofrepRoutes, { provider })
  return app
}

/** What a field must hold, added to the schema's own words. */
const FIELD_HINTS: Record<string, string> = {
  reason: 'say why the flag changes, in 1 to 500 characters',
  actor: 'name who changes the flag, in 1 to 100 characters',
  state: 'ENABLED or DISABLED',
  defaultVariant: "one of the flag's variants",
  targeting: 'a flagd JSONLogic object, or null to remove it',
  limit: 'an integer from 1 to 1000',
}

/** `/reason` → `reason`; a missing or unexpected property names itself. */
function fieldOf(instancePath: string | undefined, params: Record<string, unknown> | undefined): string {
  const named = params?.missingProperty ?? params?.additionalProperty
  const path = (instancePath ?? '').split('/').filter(Boolean).join('.')
  if (typeof named === 'string') return path ? `${path}.${named}` : named
  return path
}
