import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { alertFingerprint } from './alert-fingerprint.ts'
import { toAlertmanagerWebhook } from './alertmanager-webhook.ts'
import type { BurnRateAlert, RuleEvaluation } from './create-burn-rate-evaluator.ts'
import { DetectionErrorCode } from './errors.ts'
import { sendWebhook } from './send-webhook.ts'

const evidence: RuleEvaluation = {
  rule: 'SloFastBurn',
  slo: 'orders-availability',
  severity: 'page',
  threshold: 14.4,
  conditionMet: true,
  state: 'firing',
  long: {
    windowMs: 15_000,
    from: 0,
    to: 15_000,
    samples: 15,
    total: 3000,
    bad: 600,
    errorRatio: 0.2,
    burnRate: 200,
  },
  short: {
    windowMs: 1250,
    from: 13_750,
    to: 15_000,
    samples: 1,
    total: 250,
    bad: 250,
    errorRatio: 1,
    burnRate: 1000,
  },
}
const alert: BurnRateAlert = {
  rule: { name: 'SloFastBurn', severity: 'page', longWindowMs: 15_000, shortWindowMs: 1250, burnRate: 14.4 },
  slo: 'orders-availability',
  objective: 0.999,
  startsAt: Date.UTC(2026, 0, 1, 12, 0, 0),
  endsAt: null,
  heldSince: null,
  evidence,
}
const options = { receiver: 'drill-pager', externalURL: 'http://127.0.0.1:9093' }

describe('Alertmanager webhook', () => {
  it('has the version 4 shape for a firing alert', () => {
    const payload = toAlertmanagerWebhook(alert, options)
    const labels = { alertname: 'SloFastBurn', severity: 'page', slo: 'orders-availability' }
    expect(payload).toMatchObject({
      version: '4',
      groupKey: '{}:{alertname="SloFastBurn"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'drill-pager',
      groupLabels: { alertname: 'SloFastBurn' },
      commonLabels: labels,
      externalURL: 'http://127.0.0.1:9093',
    })
    expect(payload.alerts).toEqual([
      {
        status: 'firing',
        labels,
        annotations: {
          summary: expect.any(String),
          description: expect.stringContaining('20.00%'),
          runbook_url: 'http://127.0.0.1:9093/runbooks/orders-availability',
        },
        startsAt: '2026-01-01T12:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:9093',
        fingerprint: '245f13a1ed919f3a',
      },
    ])
    expect(payload.commonAnnotations).toEqual(payload.alerts[0]!.annotations)
  })

  it('says resolved with its end time, under the same fingerprint', () => {
    const resolvedAt = alert.startsAt + 60_000
    const payload = toAlertmanagerWebhook({ ...alert, endsAt: resolvedAt }, options)
    expect(payload.status).toBe('resolved')
    expect(payload.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-01-01T12:01:00.000Z' })
    expect(payload.alerts[0]!.fingerprint).toBe(toAlertmanagerWebhook(alert, options).alerts[0]!.fingerprint)
  })

  it('fingerprints label sets as Prometheus does', () => {
    expect(alertFingerprint({})).toBe('cbf29ce484222325')
    expect(alertFingerprint({ a: 'é' })).toBe('0019cb2f2449a23e')
    expect(alertFingerprint({ b: '1', a: '2' })).toBe(alertFingerprint({ a: '2', b: '1' }))
  })
})

describe('webhook delivery', () => {
  let receiver: FastifyInstance | null = null
  afterEach(async () => {
    await receiver?.close()
    receiver = null
  })

  async function startReceiver(status: number): Promise<{ url: string; received: unknown[] }> {
    const received: unknown[] = []
    receiver = Fastify({ logger: false })
    receiver.post('/hook', async (request, reply) => {
      received.push(request.body)
      return reply.code(status).send({})
    })
    const base = await receiver.listen({ host: '127.0.0.1', port: 0 })
    return { url: `${base}/hook`, received }
  }

  it('POSTs the payload as JSON', async () => {
    const { url, received } = await startReceiver(200)
    const payload = toAlertmanagerWebhook(alert, options)
    expect(await sendWebhook(url, payload)).toBe(200)
    expect(received).toEqual([payload])
  })

  it('fails with its code when the receiver refuses or is not there', async () => {
    const { url } = await startReceiver(503)
    await expect(sendWebhook(url, {})).rejects.toMatchObject({ code: DetectionErrorCode.WEBHOOK_FAILED })
    await receiver!.close()
    await expect(sendWebhook(url, {}, { timeoutMs: 1000 })).rejects.toMatchObject({
      code: DetectionErrorCode.WEBHOOK_FAILED,
    })
  })
})
