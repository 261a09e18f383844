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

  async function receiver(status: (n: number) => number) {
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
      return reply.code(status(received.length)).send({})
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
    const { url, received, until } = await receiver((n) => (n % 4 === 0 ? 503 : 201))
    const run = startTemplateTraffic({
      targets: [url],
      ratePerSecond: 100,
      request: TEMPLATE,
      seed: 7,
      timeoutMs: 2000,
    })
    await until(20)
    const summary = await run.stop()
    expect(summary.requests).toBe(received.length)
    expect(summary.byStatus['503']).toBe(Math.floor(received.length / 4))
    expect(summary.byStatus['201']).toBe(received.length - Math.floor(received.length / 4))
    // The same seed draws the same requests, in order.
    const faker = seeded(7)
    for (const got of received.slice(0, 5)) {
      const expected = renderTemplateRequest(TEMPLATE, faker)
      expect(got).toEqual({
        url: expected.path,
        customer: expected.headers['x-customer'],
        body: JSON.parse(expected.body!),
      })
    }
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
