import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { FULFILMENT_QUEUE } from '../../services/platform/keys.ts'
import { bearerJsonCall } from './bearer-json-call.ts'
import { QueueAlreadyThereError, QueueRequestFailedError } from './drill-errors.ts'
import type { FulfilmentQueueControls, FulfilmentQueueView } from './fulfilment-queue-control.ts'

const ErrorBody = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() })
const QueueBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)
const QueueView = Type.Object({
  queue: Type.String(),
  paused: Type.Boolean(),
  waiting: Type.Integer(),
  active: Type.Integer(),
  delayed: Type.Integer(),
  pause: Type.Union([
    Type.Object({ by: Type.String(), reason: Type.String(), since: Type.String() }),
    Type.Null(),
  ]),
})

/** Where the fulfilment queue's control lives, beside the deploys API. */
export const FULFILMENT_QUEUE_PATH = `/queues/${FULFILMENT_QUEUE}`

/**
 * Production's fulfilment queue over HTTP, beside the deploys API and behind its token: `GET /queues/fulfilment`
 * (paused or not, its jobs, the standing pause), `POST /queues/fulfilment/pause` and `…/resume` with a reason and
 * the actor (journalled as `queue.paused` / `queue.resumed`). A pause of a paused queue, or a resume of a running
 * one, answers 409 and changes nothing.
 */
export function fulfilmentQueueRoutes(controls: FulfilmentQueueControls): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
    app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
      if (error instanceof QueueAlreadyThereError)
        return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: error.message })
      const statusCode = error.validation !== undefined ? 400 : (error.statusCode ?? 500)
      return reply.code(statusCode).send({
        statusCode,
        error: statusCode === 400 ? 'Bad Request' : 'Error',
        message:
          statusCode === 400
            ? `${error.message}: a pause or resume needs {"reason": "why", "actor": "who"} (actor optional)`
            : error.message,
      })
    })
    app.get(FULFILMENT_QUEUE_PATH, { schema: { response: { 200: QueueView } } }, () => controls.status())
    for (const move of ['pause', 'resume'] as const)
      app.post(
        `${FULFILMENT_QUEUE_PATH}/${move}`,
        { schema: { body: QueueBody, response: { 200: QueueView, 400: ErrorBody, 409: ErrorBody } } },
        async (request) => {
          const { reason, actor } = request.body
          return controls[move](actor ?? 'unknown', reason)
        },
      )
  }
}

/** The queue control's client, for the command line, a trainee's console and scripted responders. */
export class FulfilmentQueueHttpClient {
  readonly #baseUrl: string
  readonly #token: string

  constructor(options: { baseUrl: string; token: string }) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token
  }

  status(): Promise<FulfilmentQueueView> {
    return this.#call('GET', FULFILMENT_QUEUE_PATH)
  }

  pause(reason: string, actor: string): Promise<FulfilmentQueueView> {
    return this.#call('POST', `${FULFILMENT_QUEUE_PATH}/pause`, { reason, actor })
  }

  resume(reason: string, actor: string): Promise<FulfilmentQueueView> {
    return this.#call('POST', `${FULFILMENT_QUEUE_PATH}/resume`, { reason, actor })
  }

  async #call(method: string, path: string, body?: unknown): Promise<FulfilmentQueueView> {
    const baseUrl = this.#baseUrl
    const fail = (status: number | null, message: string) =>
      new QueueRequestFailedError(baseUrl, status, message)
    return (await bearerJsonCall(
      { baseUrl, token: this.#token, fail },
      method,
      path,
      body,
    )) as FulfilmentQueueView
  }
}
