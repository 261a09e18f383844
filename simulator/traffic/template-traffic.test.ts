import { en, Faker } from '@faker-js/faker'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestTemplate } from '../../record/target/target-schema.ts'
import { renderTemplateRequest } from './render-template-request.ts'
import { startTemplateTraffic } from './start-template-traffic.ts'

const TEMPLATE: RequestTemplate = {
  method: 'POST',
  path: '/quotes/{{faker.person.fullName}}-{{faker.string.alphanumeric}}',
  headers: { 'content-type': 'application/json', 'x-customer': 'c-{{faker.string.uuid}}' },
  body: {
    qty: '{{faker.number.int}}',
    note: 'for {{faker.person.firstName}}',
    tags: ['{{faker.word.noun}}', 7],
  },
}

const seeded = (seed: number) => {
  const faker = new Faker({ locale: en })
  faker.seed(seed)
  return faker
}

describe('a request template', () => {
  it('fills every faker field afresh, keeps a lone field its type, and draws the same requests from the same seed', () => {
    const a = seeded(7)
    const first = renderTemplateRequest(TEMPLATE, a)
    const second = renderTemplateRequest(TEMPLATE, a)
    expect(first).not.toEqual(second)
    expect(renderTemplateRequest(TEMPLATE, seeded(7))).toEqual(first)
    // A drawn value is URL-encoded in the path (a full name has a space).
    expect(first.path).toMatch(/^\/quotes\/[^{}\s/]+%20[^{}\s/]+-[A-Za-z0-9]$/)
    expect(first.headers['x-customer']).toMatch(/^c-[0-9a-f-]{36}$/)
    const body = JSON.parse(first.body!)
    expect(typeof body.qty).toBe('number')
    expect(body.note).toMatch(/^for \S+$/)
    expect(body.tags[1]).toBe(7)
    expect(JSON.stringify(first)).not.toContain('{{')
  })
})

describe('template traffic', () => {
  let server: FastifyInstance | null = null
  afterEach(async () => {
    await server?.close()
    server = null
  })

  /** A service on a real socket that answers 503 to a quote of an odd quantity, 201 to the others. */
  async function receiver() {
    const received: { url: string; customer: string | undefined; body: unknown }[] = []
    let wanted: { n: number; resolve: () => void } | undefined
    server = Fastify({ logger: false })
    server.post('/quotes/:id', async (request, reply) => {
      received.push({
        url: request.url,
        customer: request.headers['x-customer'] as string,
        body: request.body,
      })
      if (wanted !== undefined && received.length >= wanted.n) wanted.resolve()
      return reply.code((request.body as { qty: number }).qty % 2 === 1 ? 503 : 201).send({})
    })
    const url = await server.listen({ host: '127.0.0.1', port: 0 })
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        wanted = { n, resolve }
        if (received.length >= n) resolve()
      })
    return { url, received, until }
  }

  it('sends the drawn requests at its rate over a real socket and counts the answers by status', async () => {
    const { url, received, until } = await receiver()
    const run = startTemplateTraffic({
      targets: [url],
      ratePerSecond: 50,
      request: TEMPLATE,
      seed: 7,
      timeoutMs: 15_000,
    })
    await until(20)
    const summary = await run.stop()
    // What the same seed draws, in order: the requests sent, and the answer each should get.
    const faker = seeded(7)
    const drawn = Array.from({ length: summary.requests }, () => renderTemplateRequest(TEMPLATE, faker))
    const odd = drawn.filter((r) => JSON.parse(r.body!).qty % 2 === 1).length
    expect(summary.byStatus).toEqual({
      ...(odd > 0 ? { '503': odd } : {}),
      ...(odd < drawn.length ? { '201': drawn.length - odd } : {}),
    })
    // Requests travel side by side, so they may arrive in any order: compare them as sets.
    const byCustomer = (a: { customer: string | undefined }, b: { customer: string | undefined }) =>
      String(a.customer).localeCompare(String(b.customer))
    expect([...received].sort(byCustomer)).toEqual(
      drawn
        .map((r) => ({ url: r.path, customer: r.headers['x-customer'], body: JSON.parse(r.body!) }))
        .sort(byCustomer),
    )
    expect(await run.stop()).toEqual(summary)
  })

  it('counts a service that is not there as network errors, without throwing', async () => {
    const run = startTemplateTraffic({
      targets: ['http://127.0.0.1:9'],
      ratePerSecond: 50,
      request: TEMPLATE,
      seed: 1,
      timeoutMs: 1000,
    })
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if ((run.summary().byStatus['network-error'] ?? 0) >= 3) {
          clearInterval(poll)
          resolve()
        }
      }, 20)
    })
    const summary = await run.stop()
    expect(Object.keys(summary.byStatus)).toEqual(['network-error'])
  })
})
