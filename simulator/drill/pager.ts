import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import Fastify from 'fastify'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import {
  type ReceivedAlert,
  type ReceivedWebhook,
  ReceivedWebhookSchema,
} from '../detection/alertmanager-webhook-schema.ts'
import { dedupKeyOf } from '../detection/pagerduty-event.ts'

/** What the responder is paged with: the group's first paging alert, and every alert of the group. */
export interface Page {
  alert: string
  severity: string
  summary: string
  description: string
  startsAt: string
  fingerprint: string
  /** The Alertmanager group the page is for: one page per group until it resolves. */
  groupKey: string
  /** PagerDuty's dedup key for the group (SHA-256 of the group key, as Alertmanager makes it). */
  dedupKey: string
  /** `alertname` of every firing alert in the group, and the SLOs they are about. */
  alerts: string[]
  slos: string[]
  /** The notification the page came from, as received. */
  notification: ReceivedWebhook
}

/** One notification the pager took, and what it did with it. */
export interface PagerNotification {
  groupKey: string
  status: 'firing' | 'resolved'
  alerts: { alert: string; severity: string; status: 'firing' | 'resolved'; slo?: string }[]
  /**
   * `paged`: opened an incident; `repeat`: the incident is already open; `resolved`: the incident's alerts all
   * resolved; `not-paging`: no firing alert of a paging severity, and no open incident.
   */
  outcome: 'paged' | 'repeat' | 'resolved' | 'not-paging'
}

export interface PagerOptions {
  /** Severity labels that page; any other is taken, journalled and not paged. @defaultValue ['page', 'critical'] */
  pageSeverities?: readonly string[]
  onPage(page: Page): void
  /** An open incident whose group resolved. */
  onResolved?(incident: { groupKey: string; dedupKey: string; notification: ReceivedWebhook }): void
  /** Every notification taken, in order (before onPage/onResolved). */
  onNotification?(notification: PagerNotification): void
  /** Where to listen, on loopback. @defaultValue `{ host: '127.0.0.1', port: 0 }` (a free port) */
  listen?: { host: string; port: number }
}

export interface Pager {
  /** Where Alertmanager-shaped webhooks are POSTed. */
  url: string
  /** Group keys of incidents paged and not yet resolved. */
  openIncidents(): string[]
  close(): Promise<void>
}

const Answer = Type.Object({ status: Type.Literal('ok'), outcome: Type.String() })
const Refusal = Type.Object({ status: Type.Literal('error'), error: Type.String() })

/**
 * The drill's pager: a loopback receiver for Alertmanager webhooks (what a team's Alertmanager sends, grouped
 * alerts, resolved notifications and repeats). An incident is one alert group (`groupKey`): its first
 * notification with a firing alert of a paging severity pages, later ones are repeats, and a notification
 * with no firing paging alert left resolves it; a new group pages again. A body Alertmanager would never send
 * (null, a missing field, an alert without annotations, a bad time) is answered 400 with the reason.
 */
export async function startPager(options: PagerOptions): Promise<Pager> {
  const pageSeverities = new Set(options.pageSeverities ?? ['page', 'critical'])
  const open = new Map<string, string>()
  // `expected` is firedrill's own schema annotation (the words an error uses), not a validation keyword.
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { keywords: ['expected'], coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.post(
    '/alertmanager',
    {
      schema: { body: ReceivedWebhookSchema, response: { 200: Answer, 400: Refusal } },
      attachValidation: true,
    },
    async (request, reply) => {
      const body: unknown = request.body
      const problem = request.validationError !== undefined ? firstProblem(body) : badTime(request.body)
      if (problem !== null)
        return reply.code(400).send({ status: 'error', error: `not an Alertmanager webhook: ${problem}` })
      const payload = request.body
      const paging = payload.alerts.filter(
        (a) => a.status === 'firing' && pageSeverities.has(a.labels.severity ?? ''),
      )
      const isOpen = open.has(payload.groupKey)
      const outcome: PagerNotification['outcome'] =
        paging.length > 0 ? (isOpen ? 'repeat' : 'paged') : isOpen ? 'resolved' : 'not-paging'
      options.onNotification?.({
        groupKey: payload.groupKey,
        status: payload.status,
        alerts: payload.alerts.map((a) => ({
          alert: a.labels.alertname ?? '(no alertname)',
          severity: a.labels.severity ?? '',
          status: a.status,
          ...(a.labels.slo === undefined ? {} : { slo: a.labels.slo }),
        })),
        outcome,
      })
      const dedupKey = dedupKeyOf(payload.groupKey)
      if (outcome === 'paged') {
        open.set(payload.groupKey, dedupKey)
        options.onPage(pageOf(payload, paging, dedupKey))
      } else if (outcome === 'resolved') {
        open.delete(payload.groupKey)
        options.onResolved?.({ groupKey: payload.groupKey, dedupKey, notification: payload })
      }
      return reply.code(200).send({ status: 'ok', outcome })
    },
  )
  const host = options.listen?.host ?? '127.0.0.1'
  await app.listen({ host, port: options.listen?.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('pager has no TCP address')
  return {
    url: `http://${host}:${address.port}/alertmanager`,
    openIncidents: () => [...open.keys()],
    close: () => app.close(),
  }
}

function pageOf(payload: ReceivedWebhook, paging: readonly ReceivedAlert[], dedupKey: string): Page {
  const first = paging[0]!
  const firing = payload.alerts.filter((a) => a.status === 'firing')
  const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x) => x !== undefined))]
  const alertname = first.labels.alertname ?? '(no alertname)'
  return {
    alert: alertname,
    severity: first.labels.severity ?? '',
    summary: first.annotations.summary ?? `${alertname} is firing`,
    description: first.annotations.description ?? describeLabels(first.labels),
    startsAt: first.startsAt,
    fingerprint: first.fingerprint,
    groupKey: payload.groupKey,
    dedupKey,
    alerts: unique(firing.map((a) => a.labels.alertname)),
    slos: unique(firing.map((a) => a.labels.slo)),
    notification: payload,
  }
}

const describeLabels = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')

function firstProblem(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return `the body must be a JSON object (got ${body === null ? 'null' : Array.isArray(body) ? 'a list' : typeof body})`
  const [problem] = schemaProblems(ReceivedWebhookSchema, body)
  return problem === undefined
    ? 'the body does not fit version 4'
    : `${problem.path} ${problem.expected} (got ${problem.got})`
}

function badTime(payload: ReceivedWebhook): string | null {
  for (const [i, alert] of payload.alerts.entries()) {
    for (const field of ['startsAt', 'endsAt'] as const) {
      if (Number.isNaN(Date.parse(alert[field])))
        return `alerts[${i}].${field} must be an RFC 3339 time (got ${JSON.stringify(alert[field])})`
    }
  }
  return null
}
