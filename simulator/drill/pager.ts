import Fastify from 'fastify'
import type { AlertmanagerWebhook } from '../detection/alertmanager-webhook.ts'

export interface Page {
  alert: string
  severity: string
  summary: string
  description: string
  startsAt: string
  fingerprint: string
}

export interface Pager {
  /** Where Alertmanager-shaped webhooks are POSTed. */
  url: string
  close(): Promise<void>
}

/**
 * The drill's pager: a loopback receiver for Alertmanager webhooks (what a team's Alertmanager would send),
 * turning each newly firing paging alert into a page for the responder. Resolved notifications and repeats of
 * an alert already paged are acknowledged to the sender and not paged again.
 */
export async function startPager(onPage: (page: Page) => void): Promise<Pager> {
  const paged = new Set<string>()
  const app = Fastify({ logger: false })
  app.post('/alertmanager', async (request, reply) => {
    const payload = request.body as AlertmanagerWebhook
    for (const alert of payload.alerts ?? []) {
      if (alert.status !== 'firing' || alert.labels.severity !== 'page' || paged.has(alert.fingerprint))
        continue
      paged.add(alert.fingerprint)
      onPage({
        alert: alert.labels.alertname ?? 'unknown',
        severity: alert.labels.severity,
        summary: alert.annotations.summary,
        description: alert.annotations.description,
        startsAt: alert.startsAt,
        fingerprint: alert.fingerprint,
      })
    }
    return reply.code(200).send({ status: 'ok' })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('pager has no TCP address')
  return { url: `http://127.0.0.1:${address.port}/alertmanager`, close: () => app.close() }
}
