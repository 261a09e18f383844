import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { ServiceErrorCode } from '../platform/errors.ts'
import { provisionRedis } from '../platform/redis/redis-provisioner.ts'
import { buildFlagsApp, type FlagsAppOptions } from './flags-app.ts'
import { FlagsErrorCode } from './flags-errors.ts'
import { FlagsHttpClient } from './flags-http-client.ts'
import { rolloutTargeting } from './rollout-targeting.ts'

const PRICING = 'checkout.new-pricing'
const ORDERS = 'checkout.accepting-orders'
const GIFTS = 'checkout.gift-messages'
const TOKEN = 'flags-app-test-token'
const auth = { authorization: `Bearer ${TOKEN}` }

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function flagsApp(options: Partial<FlagsAppOptions> = {}): Promise<FastifyInstance> {
  const sandbox = redisSandbox()
  const app = await buildFlagsApp({ redisUrl: sandbox.url, prefix: sandbox.prefix, token: TOKEN, ...options })
  cleanups.push(() => sandbox.close())
  cleanups.push(() => app.close())
  await app.ready()
  return app
}

function flip(app: FastifyInstance, key: string, payload: unknown, headers: Record<string, string> = auth) {
  return app.inject({
    method: 'PUT',
    url: `/flags/${key}`,
    headers,
    payload: payload as Record<string, unknown>,
  })
}

describe('flag inventory', () => {
  it('lists every flag with state, variants, targeting and lifecycle metadata', async () => {
    const app = await flagsApp()
    await flip(app, PRICING, { targeting: rolloutTargeting(5), reason: 'canary' })
    const response = await app.inject({ url: '/flags' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.revision).toBe(2)
    expect(body.flags.map((flag: { key: string }) => flag.key)).toEqual([
      ORDERS,
      GIFTS,
      PRICING,
      'payments.defer-charges',
      'payments.instant-retry',
    ])
    expect(body.flags[2]).toMatchObject({
      key: PRICING,
      state: 'ENABLED',
      defaultVariant: 'off',
      variants: { on: true, off: false },
      targeting: {
        fractional: [
          ['on', 5],
          ['off', 95],
        ],
      },
      metadata: { owner: 'team-checkout', type: 'release', lifecycle: 'active', removalTicket: 'SHOP-101' },
      summary: 'on for 5% (else off)',
    })
    expect(body.flags[0]).not.toHaveProperty('targeting')
  })
})

describe('flag flip over HTTP', () => {
  it('is refused without a token, and with a wrong one, changing nothing', async () => {
    const app = await flagsApp()
    const none = await flip(app, PRICING, { defaultVariant: 'on', reason: 'x' }, {})
    const wrong = await flip(
      app,
      PRICING,
      { defaultVariant: 'on', reason: 'x' },
      { authorization: 'Bearer nope' },
    )
    const notBearer = await flip(
      app,
      PRICING,
      { defaultVariant: 'on', reason: 'x' },
      { authorization: TOKEN },
    )
    for (const response of [none, wrong, notBearer]) {
      expect(response.statusCode).toBe(401)
      expect(response.json().code).toBe(FlagsErrorCode.FLAGS_UNAUTHORIZED)
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/)
    }
    expect((await app.inject({ url: '/flags' })).json().revision).toBe(1)
  })

  it.each([
    ['no reason', { defaultVariant: 'on' }, 'reason'],
    ['an empty reason', { defaultVariant: 'on', reason: '' }, 'reason'],
    ['a blank reason', { defaultVariant: 'on', reason: '   ' }, 'reason'],
    ['an unknown property', { defaultvariant: 'on', reason: 'x' }, 'defaultvariant'],
    ['an unknown state', { state: 'ON', reason: 'x' }, 'state'],
    ['a targeting list', { targeting: [1], reason: 'x' }, 'targeting'],
    ['a variant the flag lacks', { defaultVariant: 'maybe', reason: 'x' }, 'defaultVariant'],
    ['a rule flagd cannot compile', { targeting: { nope: [1] }, reason: 'x' }, 'targeting'],
    ['nothing to change', { reason: 'x' }, 'change'],
  ])('answers 400 naming the field for %s', async (_name, payload, field) => {
    const app = await flagsApp()
    const response = await flip(app, PRICING, payload)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ field })
    expect(response.json().message).toContain(field)
  })

  it('answers 404 for an unknown flag', async () => {
    const app = await flagsApp()
    const response = await flip(app, 'checkout.nope', { defaultVariant: 'on', reason: 'x' })
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe(FlagsErrorCode.FLAG_NOT_FOUND)
  })

  it('returns the new definition and the audit entry, and lands in the audit log', async () => {
    const app = await flagsApp()
    const release = await flip(app, PRICING, {
      defaultVariant: 'on',
      reason: 'release new pricing',
      actor: 'drill',
    })
    expect(release.statusCode).toBe(200)
    expect(release.json()).toMatchObject({
      revision: 2,
      definition: { key: PRICING, defaultVariant: 'on', summary: 'on' },
      audit: {
        revision: 2,
        flag: PRICING,
        from: 'off',
        to: 'on',
        actor: 'drill',
        reason: 'release new pricing',
      },
    })
    await flip(app, PRICING, {
      defaultVariant: 'off',
      reason: 'error budget burning',
      actor: 'responder-bot',
    })
    await flip(app, ORDERS, { defaultVariant: 'off', reason: 'stop the bleeding' })

    const audit = await app.inject({ url: '/flags/audit' })
    expect(audit.statusCode).toBe(200)
    const entries = audit.json().entries
    expect(entries.map((e: Record<string, unknown>) => [e.flag, e.from, e.to, e.actor, e.reason])).toEqual([
      [ORDERS, 'on', 'off', 'flags-api', 'stop the bleeding'],
      [PRICING, 'on', 'off', 'responder-bot', 'error budget burning'],
      [PRICING, 'off', 'on', 'drill', 'release new pricing'],
    ])
    for (const entry of entries) expect(Date.parse(entry.at)).not.toBeNaN()
    expect((await app.inject({ url: '/flags/audit?limit=1' })).json().entries).toHaveLength(1)
    const badLimit = await app.inject({ url: '/flags/audit?limit=0' })
    expect(badLimit.statusCode).toBe(400)
    expect(badLimit.json().field).toBe('limit')
  })

  it('counts changes in flag_changes_total on /metrics', async () => {
    const app = await flagsApp()
    await flip(app, PRICING, { defaultVariant: 'on', reason: 'one' })
    await flip(app, PRICING, { defaultVariant: 'off', reason: 'two' })
    const metrics = await app.inject({ url: '/metrics' })
    expect(metrics.body).toContain(`flag_changes_total{flag="${PRICING}"} 2`)
    expect(metrics.body).toContain(
      'http_requests_total{method="PUT",route="/flags/:key",status_code="200"} 2',
    )
  })
})

describe('OFREP evaluation', () => {
  function evaluate(app: FastifyInstance, key: string, payload: unknown) {
    return app.inject({
      method: 'POST',
      url: `/ofrep/v1/evaluate/flags/${key}`,
      payload: payload as Record<string, unknown>,
    })
  }

  it('evaluates a flag for a context, and sees a flip at once', async () => {
    const app = await flagsApp()
    const before = await evaluate(app, PRICING, { context: { targetingKey: 'customer-1' } })
    expect(before.statusCode).toBe(200)
    expect(before.json()).toMatchObject({ key: PRICING, value: false, variant: 'off', reason: 'STATIC' })
    expect(before.json().metadata).toMatchObject({ owner: 'team-checkout', type: 'release' })
    await flip(app, PRICING, { defaultVariant: 'on', reason: 'release' })
    const after = await evaluate(app, PRICING, { context: { targetingKey: 'customer-1' } })
    expect(after.json()).toMatchObject({ value: true, variant: 'on' })
  })

  it('answers 404 FLAG_NOT_FOUND for an unknown flag', async () => {
    const app = await flagsApp()
    const response = await evaluate(app, 'checkout.nope', { context: {} })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ key: 'checkout.nope', errorCode: 'FLAG_NOT_FOUND' })
    expect(response.json().errorDetails).toEqual(expect.any(String))
  })

  it.each([
    ['a context that is not an object', { context: 'customer-1' }],
    ['a targeting key that is not a string', { context: { targetingKey: 42 } }],
  ])('answers 400 INVALID_CONTEXT for %s', async (_name, payload) => {
    const app = await flagsApp()
    const response = await evaluate(app, PRICING, payload)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ key: PRICING, errorCode: 'INVALID_CONTEXT' })
  })

  it('answers 400 INVALID_CONTEXT for a body that is not JSON', async () => {
    const app = await flagsApp()
    const response = await app.inject({
      method: 'POST',
      url: `/ofrep/v1/evaluate/flags/${PRICING}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"context":',
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errorCode: 'INVALID_CONTEXT' })
  })

  it('gives a disabled flag no value, so the caller keeps its default', async () => {
    const app = await flagsApp()
    await flip(app, ORDERS, { state: 'DISABLED', reason: 'x' })
    const response = await evaluate(app, ORDERS, { context: {} })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ key: ORDERS, reason: 'DISABLED' })
    expect(response.json()).not.toHaveProperty('value')
  })

  it('evaluates every flag at once (bulk)', async () => {
    const app = await flagsApp()
    const response = await app.inject({
      method: 'POST',
      url: '/ofrep/v1/evaluate/flags',
      payload: { context: { targetingKey: 'c-1' } },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().flags).toEqual([
      expect.objectContaining({ key: ORDERS, value: true }),
      expect.objectContaining({ key: GIFTS, value: false }),
      expect.objectContaining({ key: PRICING, value: false }),
      expect.objectContaining({ key: 'payments.defer-charges', value: false }),
      expect.objectContaining({ key: 'payments.instant-retry', value: false }),
    ])
  })
})

describe('flags service health', () => {
  it('is alive and ready while Redis answers, and not ready once it is gone', async () => {
    const redis = await provisionRedis({ env: {}, probeLocal: false })
    cleanups.push(() => redis.stop())
    const app = await buildFlagsApp({ redisUrl: redis.url, prefix: 'health', token: TOKEN })
    cleanups.push(() => app.close())
    await app.ready()
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200)
    await redis.stop()
    const notReady = await app.inject({ url: '/readyz' })
    expect(notReady.statusCode).toBe(503)
    expect(notReady.json().status).toBe('unavailable')
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    // Evaluation still answers from the last known definitions.
    const evaluation = await app.inject({
      method: 'POST',
      url: `/ofrep/v1/evaluate/flags/${PRICING}`,
      payload: { context: {} },
    })
    expect(evaluation.json()).toMatchObject({ value: false })
  })

  it('refuses to start on a broken seed file, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-flags-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'flags.json')
    await writeFile(file, JSON.stringify({ flags: { x: { state: 'ON' } } }))
    const sandbox = redisSandbox()
    cleanups.push(() => sandbox.close())
    const app = await buildFlagsApp({
      redisUrl: sandbox.url,
      prefix: sandbox.prefix,
      token: TOKEN,
      seedFile: file,
    })
    cleanups.push(() => app.close())
    await expect(app.ready()).rejects.toMatchObject({ code: ServiceErrorCode.FLAGS_FILE_INVALID })
  })
})

describe('FlagsHttpClient', () => {
  it('lists, flips, audits and evaluates against a listening service', async () => {
    const app = await flagsApp()
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    const client = new FlagsHttpClient({ baseUrl, token: TOKEN, actor: 'cli' })
    expect((await client.list()).flags.map((flag) => flag.key)).toEqual([
      ORDERS,
      GIFTS,
      PRICING,
      'payments.defer-charges',
      'payments.instant-retry',
    ])
    const result = await client.set(ORDERS, { defaultVariant: 'off' }, 'kill switch drill')
    expect(result.audit).toMatchObject({ actor: 'cli', from: 'on', to: 'off' })
    expect((await client.audit()).map((entry) => entry.reason)).toEqual(['kill switch drill'])
    expect(await client.evaluate(ORDERS, { targetingKey: 'c-1' })).toMatchObject({ value: false })
    expect(await client.evaluate('checkout.nope')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' })
  })

  it('throws FlagsHttpError with the status when the service says no', async () => {
    const app = await flagsApp()
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    const client = new FlagsHttpClient({ baseUrl, token: 'wrong' })
    await expect(client.set(PRICING, { defaultVariant: 'on' }, 'x')).rejects.toMatchObject({
      code: FlagsErrorCode.FLAGS_HTTP_FAILED,
      status: 401,
    })
    const unreachable = new FlagsHttpClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 })
    await expect(unreachable.list()).rejects.toMatchObject({
      code: FlagsErrorCode.FLAGS_HTTP_FAILED,
      status: 0,
    })
  })
})
