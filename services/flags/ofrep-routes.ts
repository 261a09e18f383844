import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorCode, type EvaluationContext } from '@openfeature/server-sdk'
import type { FastifyError } from 'fastify'
import {
  FlagKeyParamsSchema,
  OfrepBulkErrorSchema,
  OfrepBulkResponseSchema,
  OfrepErrorSchema,
  OfrepRequestSchema,
  OfrepSuccessSchema,
} from './flags-schemas.ts'
import type { AnyFlagEvaluation, RedisFlagProvider } from './redis-flag-provider.ts'

export interface OfrepRoutesOptions {
  provider: RedisFlagProvider
}

/**
 * OFREP's evaluation endpoints, answered from the app's own provider (flagd-core, in memory):
 * `POST /ofrep/v1/evaluate/flags/:key` and the bulk `POST /ofrep/v1/evaluate/flags`.
 */
export const ofrepRoutes: FastifyPluginAsyncTypebox<OfrepRoutesOptions> = async (app, { provider }) => {
  // OFREP's own error shape for a body that is not JSON or not `{context: {...}}`.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const key = (request.params as { key?: string } | undefined)?.key
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'OFREP evaluation failed')
      return reply
        .code(500)
        .send({ key: key ?? '', errorCode: ErrorCode.GENERAL, errorDetails: error.message })
    }
    const errorDetails = `the request body must be {"context": {...}} with a string targetingKey (${error.message})`
    return reply
      .code(400)
      .send(
        key === undefined
          ? { errorCode: ErrorCode.INVALID_CONTEXT, errorDetails }
          : { key, errorCode: ErrorCode.INVALID_CONTEXT, errorDetails },
      )
  })

  app.post(
    '/ofrep/v1/evaluate/flags/:key',
    {
      schema: {
        params: FlagKeyParamsSchema,
        body: OfrepRequestSchema,
        response: {
          200: OfrepSuccessSchema,
          400: OfrepErrorSchema,
          404: OfrepErrorSchema,
          503: OfrepErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const result = provider.evaluate(request.params.key, (request.body.context ?? {}) as EvaluationContext)
      if (result.errorCode === undefined) return toSuccess(result)
      return reply.code(statusOf(result.errorCode)).send({
        key: result.key,
        errorCode: result.errorCode,
        errorDetails: result.errorDetails ?? '',
      })
    },
  )

  app.post(
    '/ofrep/v1/evaluate/flags',
    {
      schema: {
        body: OfrepRequestSchema,
        response: { 200: OfrepBulkResponseSchema, 400: OfrepBulkErrorSchema },
      },
    },
    async (request) => {
      const context = (request.body.context ?? {}) as EvaluationContext
      const flags = provider.flagKeys().map((key) => {
        const result = provider.evaluate(key, context)
        return result.errorCode === undefined
          ? toSuccess(result)
          : { key, errorCode: result.errorCode, errorDetails: result.errorDetails ?? '' }
      })
      return { flags }
    },
  )
}

function toSuccess(result: AnyFlagEvaluation) {
  return {
    key: result.key,
    ...(result.value === undefined ? {} : { value: result.value }),
    reason: result.reason,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    metadata: result.metadata,
  }
}

function statusOf(code: ErrorCode): 400 | 404 | 503 {
  if (code === ErrorCode.FLAG_NOT_FOUND) return 404
  if (code === ErrorCode.PROVIDER_NOT_READY) return 503
  return 400
}
