import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import { ConsoleActionError, ConsoleErrorCode } from './console-errors.ts'
import { runbookFor, runbookHtml } from './runbooks.ts'
import { TraineeViewSchema } from './trainee-view-schema.ts'
import type { Role, TrainingSession } from './training-session.ts'

export const PUBLIC = join(import.meta.dirname, 'public')
const UPLOT = join(dirname(createRequire(import.meta.url).resolve('uplot')), '..', 'dist')

/** The console's own files and uPlot's, served as they are: no build step. */
export const CONSOLE_ASSETS: Record<string, { file: string; type: string }> = {
  'console.css': { file: join(PUBLIC, 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { file: join(PUBLIC, 'console.js'), type: 'text/javascript; charset=utf-8' },
  'trainee.js': { file: join(PUBLIC, 'trainee.js'), type: 'text/javascript; charset=utf-8' },
  'facilitator.js': { file: join(PUBLIC, 'facilitator.js'), type: 'text/javascript; charset=utf-8' },
  'group.js': { file: join(PUBLIC, 'group.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { file: join(UPLOT, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: join(UPLOT, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
}

const Problem = Type.Object({ code: Type.String(), message: Type.String() })
const Done = Type.Object({ ok: Type.Literal(true) })
const TokenQuery = Type.Object({ token: Type.Optional(Type.String()) })
const FlagParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) })
const FlagBody = Type.Object(
  {
    turn: Type.Union([Type.Literal('on'), Type.Literal('off')]),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)
const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
)
const Rolled = Type.Object({ ok: Type.Literal(true), from: Type.String(), to: Type.String() })
const TextBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
)
const ReviewBody = Type.Object(
  { approved: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
)
const EmptyBody = Type.Object({}, { additionalProperties: false })
/** The facilitator's words for an abort or a pause, if any. */
const AbortBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
)

/** What each field must be, in words, for a request that does not fit its schema. */
export const FIELD_WORDS: Record<string, string> = {
  turn: 'turn must be "on" or "off"',
  reason: 'reason must be a sentence of 1 to 500 characters saying why',
  text: 'text must be 1 to 1000 characters',
  approved: 'approved must be true or false',
  key: 'key must name a flag',
}

export interface ConsoleAppOptions {
  session: TrainingSession
}

const tokenOf = (request: FastifyRequest): string | undefined => {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1]
  return bearer ?? (request.query as Static<typeof TokenQuery> | undefined)?.token
}

/**
 * The training console: the trainee's page and the facilitator's page, their JSON and server-sent events, the
 * runbooks, and the static files. Every route asks for a token: the trainee's opens the trainee's routes, the
 * facilitator's the facilitator's, and either the shared files and runbooks. Built apart from listening.
 */
export function buildConsoleApp(options: ConsoleAppOptions): FastifyInstance {
  const { session } = options
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const guard =
    (...roles: Role[]) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const role = session.roleOf(tokenOf(request))
      if (role !== null && roles.includes(role)) return
      await reply
        .code(role === null ? 401 : 403)
        .header('cache-control', 'no-store')
        .send({
          code: ConsoleErrorCode.CONSOLE_UNAUTHORIZED,
          message:
            role === null
              ? 'This console needs its token: open the URL firedrill train printed (it carries ?token=…).'
              : `The ${role}'s token does not open this page; use the URL firedrill train printed for it.`,
        })
    }

  hardenConsoleApp(app, FIELD_WORDS)

  const page = (file: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const html = await readFile(join(PUBLIC, file), 'utf8')
    const token = encodeURIComponent(tokenOf(request) ?? '')
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html.replaceAll('__TOKEN__', token))
  }
  app.get(
    '/',
    { schema: { querystring: TokenQuery }, onRequest: guard('trainee', 'facilitator') },
    async (request, reply) => {
      const role = session.roleOf(tokenOf(request))
      return reply.redirect(`/${role}?token=${encodeURIComponent(tokenOf(request) ?? '')}`)
    },
  )
  app.get(
    '/trainee',
    { schema: { querystring: TokenQuery }, onRequest: guard('trainee') },
    page('trainee.html'),
  )
  app.get(
    '/facilitator',
    { schema: { querystring: TokenQuery }, onRequest: guard('facilitator') },
    page('facilitator.html'),
  )
  app.get(
    '/assets/:name',
    {
      schema: { querystring: TokenQuery, params: Type.Object({ name: Type.String() }) },
      onRequest: guard('trainee', 'facilitator'),
    },
    async (request, reply) => {
      const asset = CONSOLE_ASSETS[request.params.name]
      if (asset === undefined)
        return reply.code(404).send({ code: ConsoleErrorCode.CONSOLE_INVALID, message: 'No such file.' })
      return reply.type(asset.type).send(await readFile(asset.file))
    },
  )
  app.get(
    '/runbooks/:slo',
    {
      schema: { querystring: TokenQuery, params: Type.Object({ slo: Type.String() }) },
      onRequest: guard('trainee', 'facilitator'),
    },
    async (request, reply) => {
      const runbook = runbookFor(session.loaded.scenario, request.params.slo)
      if (runbook === null)
        return reply.code(404).send({
          code: ConsoleErrorCode.CONSOLE_INVALID,
          message: `No runbook for SLO "${request.params.slo}".`,
        })
      const token = encodeURIComponent(tokenOf(request) ?? '')
      return reply
        .type('text/html; charset=utf-8')
        .send(runbookHtml(runbook, `/assets/console.css?token=${token}`))
    },
  )

  // The trainee's API.
  const trainee = { onRequest: guard('trainee') }
  app.get(
    '/api/trainee/state',
    { ...trainee, schema: { querystring: TokenQuery, response: { 200: TraineeViewSchema } } },
    async () => session.traineeView(),
  )
  app.get('/api/trainee/events', { ...trainee, schema: { querystring: TokenQuery } }, (request, reply) =>
    // Cleaned against the same closed schema as the state route: nothing unlisted reaches the trainee.
    stream(request, reply, session, () => Value.Clean(TraineeViewSchema, session.traineeView())),
  )
  app.post(
    '/api/trainee/acknowledge',
    { ...trainee, schema: { querystring: TokenQuery, response: { 200: Done, 409: Problem } } },
    async () => {
      await session.acknowledge()
      return { ok: true as const }
    },
  )
  app.post(
    '/api/trainee/flags/:key',
    {
      ...trainee,
      schema: {
        querystring: TokenQuery,
        params: FlagParams,
        body: FlagBody,
        response: { 200: Done, 400: Problem, 404: Problem, 409: Problem, 502: Problem },
      },
    },
    async (request) => {
      await session.setFlag(request.params.key, request.body.turn, request.body.reason.trim())
      return { ok: true as const }
    },
  )
  app.post(
    '/api/trainee/rollback',
    {
      ...trainee,
      schema: {
        querystring: TokenQuery,
        body: ReasonBody,
        response: { 200: Rolled, 400: Problem, 409: Problem, 502: Problem },
      },
    },
    async (request) => ({ ok: true as const, ...(await session.rollback(request.body.reason.trim())) }),
  )
  for (const move of ['pause', 'resume'] as const)
    app.post(
      `/api/trainee/queue/${move}`,
      {
        ...trainee,
        schema: {
          querystring: TokenQuery,
          body: ReasonBody,
          response: { 200: Done, 400: Problem, 409: Problem, 502: Problem },
        },
      },
      async (request) => {
        await session.moveQueue(move, request.body.reason.trim())
        return { ok: true as const }
      },
    )
  app.post(
    '/api/trainee/status',
    {
      ...trainee,
      schema: {
        querystring: TokenQuery,
        body: TextBody,
        response: { 200: Done, 400: Problem, 409: Problem },
      },
    },
    async (request) => {
      await session.postStatus(request.body.text.trim())
      return { ok: true as const }
    },
  )

  // The facilitator's API.
  const facilitator = { onRequest: guard('facilitator') }
  app.get('/api/facilitator/state', { ...facilitator, schema: { querystring: TokenQuery } }, async () =>
    session.facilitatorView(),
  )
  app.get(
    '/api/facilitator/events',
    { ...facilitator, schema: { querystring: TokenQuery } },
    (request, reply) => stream(request, reply, session, () => session.facilitatorView()),
  )
  app.post(
    '/api/facilitator/review',
    {
      ...facilitator,
      schema: {
        querystring: TokenQuery,
        body: ReviewBody,
        response: { 200: Done, 400: Problem, 409: Problem },
      },
    },
    async (request) => {
      session.decide(request.body.approved, request.body.reason?.trim())
      return { ok: true as const }
    },
  )
  app.post(
    '/api/facilitator/hint',
    {
      ...facilitator,
      schema: {
        querystring: TokenQuery,
        body: TextBody,
        response: { 200: Done, 400: Problem, 409: Problem },
      },
    },
    async (request) => {
      await session.giveHint(request.body.text.trim())
      return { ok: true as const }
    },
  )
  app.post(
    '/api/facilitator/pause',
    {
      ...facilitator,
      schema: { querystring: TokenQuery, body: AbortBody, response: { 200: Done, 409: Problem } },
    },
    async (request) => {
      await session.pause(request.body.reason)
      return { ok: true as const }
    },
  )
  app.post(
    '/api/facilitator/resume',
    {
      ...facilitator,
      schema: { querystring: TokenQuery, body: EmptyBody, response: { 200: Done, 409: Problem } },
    },
    async () => {
      await session.resume()
      return { ok: true as const }
    },
  )
  app.post(
    '/api/facilitator/abort',
    {
      ...facilitator,
      schema: { querystring: TokenQuery, body: AbortBody, response: { 200: Done, 409: Problem } },
    },
    async (request) => {
      session.abort(request.body.reason)
      return { ok: true as const }
    },
  )
  return app
}

/** Server-sent events: the whole view at once, then again on every change, and a comment to keep it open. */
function stream(
  request: FastifyRequest,
  reply: FastifyReply,
  session: TrainingSession,
  view: () => unknown,
): void {
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'referrer-policy': 'no-referrer',
  })
  const send = () => res.write(`event: view\ndata: ${JSON.stringify(view())}\n\n`)
  send()
  const unsubscribe = session.subscribe(send)
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
  keepAlive.unref()
  request.raw.on('close', () => {
    clearInterval(keepAlive)
    unsubscribe()
  })
}

/**
 * What every page of the console answers with (the training console and the group's page alike): headers that
 * keep the token in the URL from leaking to another site, and errors as `{ code, message }`. A request the
 * schema refuses names the field in words (`fieldWords`), fastify's own 4xx are the client's mistake, anything
 * else is a 500 with its code.
 */
export function hardenConsoleApp(app: FastifyInstance, fieldWords: Record<string, string> = {}): void {
  app.addHook('onSend', async (_request, reply) => {
    // The token rides in the URL: never send it on to another site.
    reply.header('referrer-policy', 'no-referrer')
    reply.header('x-content-type-options', 'nosniff')
  })
  app.setErrorHandler(async (err: unknown, _request, reply) => {
    if (err instanceof ConsoleActionError)
      return reply.code(err.statusCode).send({ code: err.code, message: err.message })
    const validation = (err as { validation?: { instancePath: string; params: Record<string, unknown> }[] })
      .validation
    if (validation !== undefined) {
      const first = validation[0]
      const field =
        first?.instancePath.replace(/^\//, '') ||
        String(first?.params.missingProperty ?? first?.params.additionalProperty ?? '')
      const words = fieldWords[field] ?? `${field || 'the body'} is not allowed here`
      return reply.code(400).send({ code: ConsoleErrorCode.CONSOLE_INVALID, message: `${words}.` })
    }
    // fastify's own 4xx (a body that is not JSON, one too large): the client's mistake, said as such.
    const statusCode = (err as { statusCode?: number }).statusCode
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500)
      return reply
        .code(statusCode)
        .send({ code: ConsoleErrorCode.CONSOLE_INVALID, message: `${(err as Error).message}.` })
    if (isFiredrillError(err)) return reply.code(500).send({ code: err.code, message: err.message })
    return reply.code(500).send({ code: ConsoleErrorCode.CONSOLE_FAILED, message: (err as Error).message })
  })
}
