import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../record/clock/clock.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { DetectionErrorCode } from '../detection/errors.ts'
import { pageDestinationsFromEnv } from '../detection/page-destinations.ts'
import { dedupKeyOf, PAGERDUTY_EVENTS_URL, type PagerDutyEvent } from '../detection/pagerduty-event.ts'
import { DrillJournal } from './drill-journal.ts'
import { type DrillPaging, startDrillPaging } from './drill-paging.ts'
import type { Responder } from './responders/responder.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF'

/** A local stand-in for PagerDuty's Events API v2: answers as PagerDuty does, `refuse` first answers in order. */
async function pagerDutyReceiver(refuse: number[] = []) {
  const events: PagerDutyEvent[] = []
  const app: FastifyInstance = Fastify({ logger: false })
  app.post('/v2/enqueue', async (request, reply) => {
    const status = refuse.shift()
    if (status !== undefined) return reply.code(status).send({ status: 'throttled', message: 'slow down' })
    const event = request.body as PagerDutyEvent
    events.push(event)
    return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key })
  })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  cleanup.push(() => app.close())
  return { url: `${base}/v2/enqueue`, events }
}

async function webhookReceiver() {
  const received: {
    status: string
    alerts: { labels: Record<string, string>; annotations: Record<string, string> }[]
  }[] = []
  const app: FastifyInstance = Fastify({ logger: false })
  app.post('/hook', async (request) => {
    received.push(request.body as (typeof received)[number])
    return { ok: true }
  })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  cleanup.push(() => app.close())
  return { url: `${base}/hook`, received }
}

const acknowledging: Responder = {
  kind: 'bot',
  name: 'responder-bot',
  respond: async (_page, context) => context.acknowledge('responder-bot'),
}

const notification = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}/{drill_run="run-7"}:{}',
  truncatedAlerts: 0,
  status,
  receiver: 'firedrill-pager',
  groupLabels: {},
  commonLabels: { alertname: 'fast-burn', severity: 'page', slo: 'orders-availability' },
  commonAnnotations: { summary: 'SLO orders-availability is burning its error budget at over 14.4×.' },
  externalURL: 'http://127.0.0.1:3100',
  alerts: [
    {
      status,
      labels: { alertname: 'fast-burn', severity: 'page', slo: 'orders-availability' },
      annotations: { summary: 'SLO orders-availability is burning its error budget at over 14.4×.' },
      startsAt: '2026-01-01T12:00:00Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-01-01T12:01:00Z',
      generatorURL: '',
      fingerprint: '0123456789abcdef',
    },
  ],
})

async function paging(env: NodeJS.ProcessEnv) {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-paging-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const journal = new DrillJournal(
    await JournalWriter.create(join(dir, 'journal.jsonl'), { clock: systemClock }),
  )
  cleanup.push(() => journal.close())
  const background: Promise<unknown>[] = []
  const drill: DrillPaging = await startDrillPaging({
    responder: acknowledging,
    journal,
    flagsUrl: 'http://127.0.0.1:9',
    token: 't',
    clock: systemClock,
    signal: new AbortController().signal,
    track: (task) => background.push(task),
    say: () => {},
    runId: 'run-7',
    scenario: 'bad-pricing',
    destinations: pageDestinationsFromEnv(env),
  })
  cleanup.push(() => drill.close())
  const post = (body: unknown) =>
    fetch(drill.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  /** Waits for every background task so far (deliveries included), as the drill does before it closes. */
  const settle = async () => {
    while (background.length > 0) await Promise.all(background.splice(0))
  }
  return { drill, journal, post, settle }
}

describe('pages sent on, marked as a drill', () => {
  it('goes to PagerDuty as trigger, acknowledge and resolve under one dedup key, and to a webhook', async () => {
    const pd = await pagerDutyReceiver([429])
    const hook = await webhookReceiver()
    const { drill, journal, post, settle } = await paging({
      FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      FIREDRILL_PAGERDUTY_URL: pd.url,
      FIREDRILL_PAGE_WEBHOOK_URLS: hook.url,
    })
    expect((await post(notification('firing'))).status).toBe(200)
    await drill.paged
    await settle()
    expect((await post(notification('resolved'))).status).toBe(200)
    await settle()

    const dedupKey = dedupKeyOf('{}/{drill_run="run-7"}:{}')
    expect(pd.events.map((e) => [e.event_action, e.dedup_key, e.routing_key])).toEqual([
      ['trigger', dedupKey, ROUTING_KEY],
      ['acknowledge', dedupKey, ROUTING_KEY],
      ['resolve', dedupKey, ROUTING_KEY],
    ])
    const trigger = pd.events[0]!
    expect(trigger.payload).toMatchObject({
      summary: expect.stringMatching(/^\[DRILL run-7\] SLO orders-availability/),
      source: 'firedrill',
      severity: 'critical',
      group: 'orders-availability',
      custom_details: { drill: true, run: 'run-7', scenario: 'bad-pricing' },
    })
    expect(hook.received.map((n) => n.status)).toEqual(['firing', 'resolved'])
    for (const n of hook.received) {
      expect(n.alerts[0]!.labels).toMatchObject({ drill: 'true', drill_run: 'run-7', alertname: 'fast-burn' })
      expect(n.alerts[0]!.annotations.summary).toMatch(/^\[DRILL\] /)
    }
    const delivered = eventsOf(journal.events, 'page.delivered').map((e) => [
      e.data.channel,
      e.data.action,
      e.data.ok,
    ])
    expect(delivered).toEqual(
      expect.arrayContaining([
        ['pagerduty-events-v2', 'trigger', true],
        ['webhook', 'trigger', true],
        ['pagerduty-events-v2', 'acknowledge', true],
        ['pagerduty-events-v2', 'resolve', true],
        ['webhook', 'resolve', true],
      ]),
    )
    expect(eventsOf(journal.events, 'page.resolved').map((e) => e.data.reason)).toEqual(['alerts resolved'])
  })

  it('resolves an incident still open when the drill ends', async () => {
    const pd = await pagerDutyReceiver()
    const { drill, journal, post, settle } = await paging({
      FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      FIREDRILL_PAGERDUTY_URL: pd.url,
    })
    await post(notification('firing'))
    await drill.paged
    await settle()
    await drill.close()
    expect(pd.events.map((e) => e.event_action)).toEqual(['trigger', 'acknowledge', 'resolve'])
    expect(eventsOf(journal.events, 'page.resolved').map((e) => e.data.reason)).toEqual(['drill ended'])
  })

  it('journals a delivery PagerDuty refuses and goes on paging the responder', async () => {
    const pd = await pagerDutyReceiver([400])
    const { drill, journal, post, settle } = await paging({
      FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      FIREDRILL_PAGERDUTY_URL: pd.url,
    })
    await post(notification('firing'))
    await drill.paged
    await settle()
    const [trigger] = eventsOf(journal.events, 'page.delivered')
    expect(trigger?.data).toMatchObject({ action: 'trigger', ok: false })
    expect(trigger?.data.error).toContain('HTTP 400')
    expect(drill.acknowledged()).toBe(true)
  })
})

describe('page destinations from the environment', () => {
  it('are none by default, PagerDuty at its own URL with a routing key, webhooks as a list', () => {
    expect(pageDestinationsFromEnv({})).toEqual({ pagerDuty: null, webhooks: [] })
    expect(
      pageDestinationsFromEnv({
        FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        FIREDRILL_PAGE_WEBHOOK_URLS: 'http://a.example/x, https://b.example/y',
      }),
    ).toEqual({
      pagerDuty: { url: PAGERDUTY_EVENTS_URL, routingKey: ROUTING_KEY },
      webhooks: ['http://a.example/x', 'https://b.example/y'],
    })
  })

  it('refuses a variable that is set but wrong, naming it', () => {
    for (const env of [
      { FIREDRILL_PAGERDUTY_ROUTING_KEY: 'short' },
      { FIREDRILL_PAGERDUTY_URL: 'http://127.0.0.1:1/v2/enqueue' },
      { FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, FIREDRILL_PAGERDUTY_URL: 'not a url' },
      { FIREDRILL_PAGE_WEBHOOK_URLS: 'ftp://example.org/hook' },
    ]) {
      const variable = Object.keys(env).at(-1)!
      expect(() => pageDestinationsFromEnv(env)).toThrow(
        expect.objectContaining({
          code: DetectionErrorCode.PAGE_DESTINATION_INVALID,
          exitCode: 2,
          message: expect.stringContaining(variable),
        }),
      )
    }
  })
})
