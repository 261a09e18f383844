import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { withTimeout } from '../with-timeout.ts'

export interface HealthRoutesOptions {
  /** Each named dependency answers, or throws; `/readyz` is 503 while any throws. */
  checks: Record<string, () => Promise<void>>
  /** How long one check may take. @defaultValue 1000 */
  timeoutMs?: number
}

const HealthBody = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.String()]))),
})

/** `/healthz`: the process is alive. `/readyz`: its dependencies answer, so it should get traffic. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, opts) => {
  const timeoutMs = opts.timeoutMs ?? 1000
  app.get('/healthz', { schema: { response: { 200: HealthBody } } }, async () => ({ status: 'ok' as const }))
  app.get(
    '/readyz',
    { schema: { response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(opts.checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), timeoutMs, 'the check')
            return [name, 'ok'] as const
          } catch (err) {
            return [name, (err as Error).message || 'failed'] as const
          }
        }),
      )
      const checks = Object.fromEntries(entries)
      const ok = entries.every(([, result]) => result === 'ok')
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks })
    },
  )
}
