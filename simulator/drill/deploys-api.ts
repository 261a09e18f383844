import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import Fastify from 'fastify'
import type { SlotReport } from '../../gate/deploy/environment.ts'
import { judgeBearer } from '../../services/flags/flags-token.ts'
import { bearerJsonCall } from './bearer-json-call.ts'
import { DeploysRequestFailedError } from './drill-errors.ts'
import { fulfilmentQueueRoutes } from './fulfilment-queue-api.ts'
import type { FulfilmentQueueControls } from './fulfilment-queue-control.ts'
import type { SeenDeploy } from './responders/diagnose.ts'

/** The environment variables `firedrill deploys` reads: the drill's deploys API and its token. */
export const DEPLOYS_URL_ENV = 'FIREDRILL_DEPLOYS_URL'
export const DEPLOYS_TOKEN_ENV = 'FIREDRILL_DEPLOYS_TOKEN'

/** What the deploys API controls: production's history, what each slot runs, and the rollback. */
export interface DeployControls {
  history(): SeenDeploy[]
  /** What each slot runs, and whether it takes traffic (`live`; absent: every slot does). */
  slots(): (SlotReport & { live?: boolean })[]
  rollback(
    by: string,
    reason: string,
  ): Promise<{ from: { contentHash: string }; to: { contentHash: string } }>
}

export interface DeploysView {
  /** `live`: the slot takes traffic (a blue-green release's idle set, or a canary out of the traffic, does not). */
  production: { slot: number; commit: string | null; contentHash: string | null; live: boolean }[]
  /** Newest first. */
  history: SeenDeploy[]
}

const ErrorBody = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() })
const RollbackBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)

/**
 * The drill's deploy controls over HTTP, as a pipeline's deploy tool offers them to an on-call engineer:
 * `GET /deploys` (what production runs, and its deploys, newest first) and `POST /deploys/rollback` (back to
 * what production ran before its latest deploy; the reason goes into the journal), and beside them production's
 * fulfilment queue (`/queues/fulfilment`: see fulfilment-queue-api.ts) when `queue` is given. Loopback only; every
 * route needs the drill's bearer token.
 */
export async function startDeploysApi(options: {
  controls: DeployControls
  token: string
  /** Production's fulfilment queue, paused and resumed beside the deploys. @defaultValue none (no queue routes) */
  queue?: FulfilmentQueueControls
}): Promise<{ url: string; close(): Promise<void> }> {
  const { controls, token } = options
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>()
  app.addHook('onRequest', async (request, reply) => {
    const verdict = judgeBearer(request.headers.authorization, token)
    if (verdict === 'ok') return
    reply.header('www-authenticate', 'Bearer realm="firedrill-deploys"')
    await reply.code(401).send({
      statusCode: 401,
      error: 'Unauthorized',
      message: `${verdict === 'wrong' ? 'Wrong' : 'No'} bearer token: the deploys API needs "Authorization: Bearer <token>" with the drill's token (${DEPLOYS_TOKEN_ENV}).`,
    })
  })
  if (options.queue !== undefined) await app.register(fulfilmentQueueRoutes(options.queue))
  app.get(
    '/deploys',
    async (): Promise<DeploysView> => ({
      production: controls
        .slots()
        .map(({ slot, commit, contentHash, live }) => ({ slot, commit, contentHash, live: live ?? true })),
      history: [...controls.history()].reverse(),
    }),
  )
  app.post(
    '/deploys/rollback',
    {
      schema: {
        body: RollbackBody,
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String() }),
          400: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { reason, actor } = request.body
      try {
        const { from, to } = await controls.rollback(actor ?? 'unknown', reason)
        return reply.code(200).send({ from: from.contentHash, to: to.contentHash })
      } catch (err) {
        return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: (err as Error).message })
      }
    },
  )
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const statusCode = error.validation !== undefined ? 400 : (error.statusCode ?? 500)
    return reply.code(statusCode).send({
      statusCode,
      error: statusCode === 400 ? 'Bad Request' : 'Error',
      message:
        statusCode === 400
          ? `${error.message}: a rollback needs {"reason": "why", "actor": "who"} (actor optional)`
          : error.message,
    })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, close: () => app.close() }
}

/** The deploys API's client, for the command line and a trainee's console. */
export class DeploysHttpClient {
  readonly #baseUrl: string
  readonly #token: string

  constructor(options: { baseUrl: string; token: string }) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token
  }

  list(): Promise<DeploysView> {
    return this.#call('GET', '/deploys') as Promise<DeploysView>
  }

  rollback(reason: string, actor: string): Promise<{ from: string; to: string }> {
    return this.#call('POST', '/deploys/rollback', { reason, actor }) as Promise<{ from: string; to: string }>
  }

  #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const baseUrl = this.#baseUrl
    const fail = (status: number | null, message: string) =>
      new DeploysRequestFailedError(baseUrl, status, message)
    return bearerJsonCall({ baseUrl, token: this.#token, fail }, method, path, body)
  }
}
