import Fastify from 'fastify'
import type { PagerDutyEvent } from '../../simulator/detection/pagerduty-event.ts'

/**
 * PagerDuty's Events API v2 on a local socket: takes every event (202, as PagerDuty answers) and keeps them in
 * order. Resolves with its enqueue URL, the events, and how to close it.
 */
export async function startPagerDutyReceiver(): Promise<{
  url: string
  events: PagerDutyEvent[]
  close(): Promise<void>
}> {
  const events: PagerDutyEvent[] = []
  const app = Fastify({ logger: false })
  app.post('/v2/enqueue', async (request, reply) => {
    const event = request.body as PagerDutyEvent
    events.push(event)
    return reply.code(202).send({ status: 'success', dedup_key: event.dedup_key })
  })
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v2/enqueue`
  return { url, events, close: () => app.close() }
}
