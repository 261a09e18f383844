import { timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Training } from '../run-training.ts'
import { CONSOLE_ASSETS, FIELD_WORDS, hardenConsoleApp, PUBLIC } from './console-app.ts'
import { ConsoleActionError, ConsoleErrorCode } from './console-errors.ts'

/** The files the group page uses. */
const GROUP_ASSETS = new Set(['console.css', 'console.js', 'group.js'])

const TokenQuery = Type.Object({ token: Type.Optional(Type.String()) })
const AbortBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
)
const EmptyBody = Type.Object({}, { additionalProperties: false })

/** One trainee's drill, as the group page lists it. */
export interface GroupTrainee {
  trainee: string
  status: 'preparing' | 'on-call' | 'paged' | 'over'
  /** The plan waits for approval. */
  awaitingReview: boolean
  reviewed: { approved: boolean; by: string; reason?: string } | null
  paused: boolean
  score: { points: number; max: number } | null
  traineeUrl: string
  facilitatorUrl: string
}

export interface GroupView {
  truth: { scenario: string; title: string; seed: number; expectedMitigation: string }
  trainees: GroupTrainee[]
}

export function groupView(trainings: readonly { trainee: string; training: Training }[]): GroupView {
  const views = trainings.map(({ trainee, training }) => ({
    trainee,
    training,
    view: training.session.facilitatorView(),
  }))
  const first = views[0]!.view.truth
  return {
    truth: {
      scenario: first.scenario,
      title: first.title,
      seed: first.seed,
      expectedMitigation: first.expectedMitigation,
    },
    trainees: views.map(({ trainee, training, view }) => ({
      trainee,
      status: view.over ? 'over' : view.trainee.status,
      awaitingReview: view.review !== null && view.reviewed === null,
      reviewed: view.reviewed,
      paused: view.paused !== null,
      score: view.score === null ? null : { points: view.score.points, max: view.score.max },
      traineeUrl: training.traineeUrl,
      facilitatorUrl: training.facilitatorUrl,
    })),
  }
}

/**
 * The facilitator's page over several trainees' drills: each one's status, review, pause and live score, links
 * to each trainee's console and facilitator page, and approve-all and abort-all. Its own token opens it; built
 * apart from listening.
 */
export function buildGroupApp(options: {
  trainings: readonly { trainee: string; training: Training }[]
  token: string
}): FastifyInstance {
  const { trainings, token } = options
  const app = Fastify({ logger: false, forceCloseConnections: true }).withTypeProvider<TypeBoxTypeProvider>()
  const opens = (given: string | undefined) => {
    if (given === undefined) return false
    const a = Buffer.from(given)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1]
    if (opens(bearer ?? (request.query as { token?: string } | undefined)?.token)) return
    await reply.code(401).header('cache-control', 'no-store').send({
      code: ConsoleErrorCode.CONSOLE_UNAUTHORIZED,
      message: 'This page needs its token: open the group URL firedrill train printed (it carries ?token=…).',
    })
  }
  hardenConsoleApp(app, FIELD_WORDS)

  app.get('/group', { schema: { querystring: TokenQuery }, onRequest: guard }, async (request, reply) => {
    const html = await readFile(join(PUBLIC, 'group.html'), 'utf8')
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html.replaceAll('__TOKEN__', encodeURIComponent(request.query.token ?? '')))
  })
  app.get(
    '/assets/:name',
    { schema: { querystring: TokenQuery, params: Type.Object({ name: Type.String() }) }, onRequest: guard },
    async (request, reply) => {
      const asset = GROUP_ASSETS.has(request.params.name) ? CONSOLE_ASSETS[request.params.name] : undefined
      if (asset === undefined)
        return reply.code(404).send({ code: ConsoleErrorCode.CONSOLE_INVALID, message: 'No such file.' })
      return reply.type(asset.type).send(await readFile(asset.file))
    },
  )
  app.get('/api/group/state', { schema: { querystring: TokenQuery }, onRequest: guard }, async () =>
    groupView(trainings),
  )
  app.get(
    '/api/group/events',
    { schema: { querystring: TokenQuery }, onRequest: guard },
    (request, reply) => {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'referrer-policy': 'no-referrer',
      })
      const send = () => res.write(`event: view\ndata: ${JSON.stringify(groupView(trainings))}\n\n`)
      send()
      const unsubscribe = trainings.map(({ training }) => training.session.subscribe(send))
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
      keepAlive.unref()
      request.raw.on('close', () => {
        clearInterval(keepAlive)
        for (const off of unsubscribe) off()
      })
    },
  )
  app.post(
    '/api/group/approve',
    { schema: { querystring: TokenQuery, body: EmptyBody }, onRequest: guard },
    async () => {
      const waiting = trainings.filter(({ training }) => {
        const view = training.session.facilitatorView()
        return view.review !== null && view.reviewed === null
      })
      if (waiting.length === 0)
        throw new ConsoleActionError(
          ConsoleErrorCode.CONSOLE_NOT_YET,
          'No plan waits for approval: the preflight checks are still running, or every plan was reviewed.',
          409,
        )
      for (const { training } of waiting) training.session.decide(true, undefined)
      return { ok: true as const, approved: waiting.map(({ trainee }) => trainee) }
    },
  )
  app.post(
    '/api/group/abort',
    { schema: { querystring: TokenQuery, body: AbortBody }, onRequest: guard },
    async (request) => {
      const running = trainings.filter(({ training }) => !training.session.over)
      if (running.length === 0)
        throw new ConsoleActionError(ConsoleErrorCode.CONSOLE_DRILL_OVER, 'Every drill is already over.', 409)
      for (const { training } of running) training.session.abort(request.body.reason)
      return { ok: true as const, aborted: running.map(({ trainee }) => trainee) }
    },
  )
  return app
}
