import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Counter } from 'prom-client'
import { isRedisUnavailable } from '../platform/redis/redis-connection.ts'
import { describeFlag, type FlagChange } from './flag-change.ts'
import type { FlagDefinition } from './flag-definition.ts'
import type { FlagStore } from './flag-store.ts'
import { FlagNotFoundError, FlagStoreUnavailableError, FlagsErrorCode } from './flags-errors.ts'
import {
  AuditListSchema,
  AuditQuerySchema,
  ErrorResponseSchema,
  FlagChangeBodySchema,
  FlagChangeResponseSchema,
  FlagInventorySchema,
  FlagKeyParamsSchema,
  type FlagView,
} from './flags-schemas.ts'
import { judgeBearer } from './flags-token.ts'
import type { RedisFlagProvider } from './redis-flag-provider.ts'

export interface FlagAdminRoutesOptions {
  store: FlagStore
  /** The app's own provider, synced after each change so OFREP answers read the write at once. */
  provider: RedisFlagProvider
  token: string
  changes: Counter<'flag'>
  /** Writes the definitions back if the store came back empty (Redis restarted); a change then retries once. */
  keepWhole?: () => Promise<void>
  /** Told of every change made here, once it is stored. */
  onChanged?: (flag: string, definition: FlagDefinition, revision: number) => void
}

/** The actor recorded when a change names none. */
export const DEFAULT_ACTOR = 'flags-api'

/** `GET /flags`, `PUT /flags/:key` (bearer token), `GET /flags/audit`. */
export const flagAdminRoutes: FastifyPluginAsyncTypebox<FlagAdminRoutesOptions> = async (app, options) => {
  const { store, provider, token, changes } = options

  app.get('/flags', { schema: { response: { 200: FlagInventorySchema } } }, async () => {
    const snapshot = await store.snapshot()
    const flags = Object.entries(snapshot.flags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, definition]) => toFlagView(key, definition))
    return { revision: snapshot.revision, flags }
  })

  app.get(
    '/flags/audit',
    { schema: { querystring: AuditQuerySchema, response: { 200: AuditListSchema } } },
    async (request) => ({ entries: await store.audit(request.query.limit ?? 50) }),
  )

  app.put(
    '/flags/:key',
    {
      schema: {
        params: FlagKeyParamsSchema,
        body: FlagChangeBodySchema,
        response: {
          200: FlagChangeResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          404: ErrorResponseSchema,
          503: ErrorResponseSchema,
        },
      },
      // Before the body is even parsed: without the token, nothing about the request is answered.
      onRequest: async (request, reply) => {
        const verdict = judgeBearer(request.headers.authorization, token)
        if (verdict === 'ok') return
        reply.header('www-authenticate', 'Bearer realm="firedrill-flags"')
        await reply.code(401).send({
          statusCode: 401,
          error: 'Unauthorized',
          code: FlagsErrorCode.FLAGS_UNAUTHORIZED,
          message: `${verdict === 'wrong' ? 'Wrong' : 'No'} bearer token: changing a flag needs "Authorization: Bearer <token>" with the flags service's token (FIREDRILL_FLAGS_TOKEN).`,
        })
      },
    },
    async (request) => {
      const { key } = request.params
      const { reason, actor, ...rest } = request.body
      const change: FlagChange = {}
      if (rest.defaultVariant !== undefined) change.defaultVariant = rest.defaultVariant
      if (rest.state !== undefined) change.state = rest.state
      if (rest.targeting !== undefined) change.targeting = rest.targeting
      const set = () => store.setFlag(key, change, actor ?? DEFAULT_ACTOR, reason)
      let result: Awaited<ReturnType<typeof set>>
      try {
        try {
          result = await set()
        } catch (err) {
          // A store that came back empty (Redis restarted) is written back first: the kill switch must work.
          if (!(err instanceof FlagNotFoundError) || options.keepWhole === undefined) throw err
          await options.keepWhole()
          result = await set()
        }
      } catch (err) {
        if (isRedisUnavailable(err)) throw new FlagStoreUnavailableError(key, err)
        throw err
      }
      options.onChanged?.(key, result.definition, result.revision)
      changes.inc({ flag: key })
      request.log.info({ flag: key, audit: result.audit }, 'flag changed')
      await provider.sync()
      return {
        revision: result.revision,
        definition: toFlagView(key, result.definition),
        audit: result.audit,
      }
    },
  )
}

export function toFlagView(key: string, definition: FlagDefinition): FlagView {
  return {
    key,
    state: definition.state,
    defaultVariant: definition.defaultVariant,
    variants: definition.variants,
    ...(definition.targeting === undefined ? {} : { targeting: definition.targeting }),
    metadata: Object.fromEntries(
      Object.entries(definition.metadata).filter(
        (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
      ),
    ),
    summary: describeFlag(definition),
  }
}
