import type { Clock } from '../../record/clock/clock.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { createPageDelivery, type IncidentNotice, resolvedNotification } from '../detection/page-delivery.ts'
import { NO_PAGE_DESTINATIONS, type PageDestinations } from '../detection/page-destinations.ts'
import type { DrillJournal } from './drill-journal.ts'
import { FulfilmentQueueHttpClient } from './fulfilment-queue-api.ts'
import { type Page, startPager } from './pager.ts'
import type { Responder, ResponderContext } from './responders/responder.ts'

const NO_DEPLOYS: ResponderContext['deploys'] = {
  list: async () => ({ production: [], history: [] }),
  rollback: async () => {
    throw new Error('this drill has no deploys to roll back')
  },
}

export interface DrillPagingOptions {
  responder: Responder
  journal: DrillJournal
  /** The flag service the responder may use, and its token. */
  flagsUrl: string
  token: string
  /**
   * Production's deploys API (history and rollback) and its URL. @defaultValue none: no history, and a rollback
   * is refused
   */
  deploys?: { client: ResponderContext['deploys']; url: string }
  /** The payment provider's status page. @defaultValue none to read (null) */
  provider?: ResponderContext['provider']
  /** The fulfilment workers' dashboard. @defaultValue none to read */
  workers?: ResponderContext['workers']
  clock: Clock
  signal: AbortSignal
  track(task: Promise<unknown>): void
  say(line: string): void
  /** The run and its scenario: pages sent on are marked as this drill's. */
  runId: string
  scenario: string
  /** Severity labels that page. @defaultValue ['page', 'critical'] */
  pageSeverities?: readonly string[]
  /** Where pages also go (PagerDuty, webhooks). @defaultValue none */
  destinations?: PageDestinations
  /** Where the pager listens (the address a team's Alertmanager posts to). @defaultValue a free loopback port */
  listen?: { host: string; port: number }
}

export interface DrillPaging {
  /** Where alerts are sent (Alertmanager webhook receiver). */
  url: string
  /** Resolves with the first page. */
  paged: Promise<Page>
  isPaged(): boolean
  /** Journals the acknowledgement once, whoever gives it, and sends it on. */
  acknowledge(by: string, alert: string): Promise<void>
  acknowledged(): boolean
  /** Resolves incidents still open (the drill ended), sends that on, and stops the pager. */
  close(): Promise<void>
}

/**
 * The drill's on-call: every notification the pager takes is journalled (grouped alerts, repeats, resolutions);
 * an incident's first paging notification pages (journalled, and sent on to PagerDuty and webhooks marked as a
 * drill); the first page goes to the responder, who then works in the background with what an on-call engineer
 * can reach: the flag service and its token.
 */
export async function startDrillPaging(options: DrillPagingOptions): Promise<DrillPaging> {
  const { responder, journal, say, track } = options
  let acknowledged = false
  let page: Page | undefined
  let resolvePaged: (page: Page) => void = () => {}
  const paged = new Promise<Page>((resolve) => {
    resolvePaged = resolve
  })
  const open = new Map<string, IncidentNotice>()
  // Deliveries and their journal entries: tracked (a failure aborts the drill) and awaited by close().
  const inFlight = new Set<Promise<unknown>>()
  const keep = (task: Promise<unknown>) => {
    track(task)
    inFlight.add(task)
    void task.finally(() => inFlight.delete(task)).catch(() => {})
  }
  const delivery = createPageDelivery({
    destinations: options.destinations ?? NO_PAGE_DESTINATIONS,
    mark: { runId: options.runId, scenario: options.scenario },
    onDelivered: (record) => {
      keep(journal.append({ type: 'page.delivered', data: record }))
      if (!record.ok)
        say(`page ${record.action} to ${record.target} failed: ${record.error ?? record.status}`)
    },
  })

  const acknowledge = async (by: string, alert: string) => {
    if (acknowledged) return
    acknowledged = true
    await journal.append({ type: 'page.acknowledged', data: { alert, by } })
    say(`page acknowledged by ${by}`)
    if (page !== undefined) keep(delivery.acknowledge(page.dedupKey))
  }

  const respond = (incoming: Page) =>
    responder.respond(incoming, {
      flags: new FlagsHttpClient({ baseUrl: options.flagsUrl, token: options.token, actor: responder.name }),
      flagsUrl: options.flagsUrl,
      token: options.token,
      deploys: options.deploys?.client ?? NO_DEPLOYS,
      deploysUrl: options.deploys?.url ?? '',
      // The fulfilment queue's control lives beside the deploys API, behind the same token.
      ...(options.deploys === undefined
        ? {}
        : { queue: new FulfilmentQueueHttpClient({ baseUrl: options.deploys.url, token: options.token }) }),
      provider: options.provider ?? (async () => null),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      clock: options.clock,
      signal: options.signal,
      acknowledge: (by) => acknowledge(by, incoming.alert),
      diagnosed: async (by, diagnosis) => {
        await journal.append({ type: 'responder.diagnosed', data: { by, ...diagnosis } })
      },
      say,
    })

  const pager = await startPager({
    ...(options.pageSeverities === undefined ? {} : { pageSeverities: options.pageSeverities }),
    ...(options.listen === undefined ? {} : { listen: options.listen }),
    onNotification: (notification) => {
      track(journal.append({ type: 'alert.received', data: notification }))
      if (notification.outcome === 'not-paging')
        say(
          `alert group ${notification.status} without a paging severity (${notification.alerts.map((a) => `${a.alert}: ${a.severity}`).join(', ')}): journalled, not paged`,
        )
    },
    onPage: (incoming) => {
      const incident = {
        groupKey: incoming.groupKey,
        dedupKey: incoming.dedupKey,
        notification: incoming.notification,
      }
      open.set(incoming.groupKey, incident)
      const first = page === undefined
      page ??= incoming
      track(
        (async () => {
          await journal.append({
            type: 'page.sent',
            data: {
              alert: incoming.alert,
              to: responder.name,
              channel: 'alertmanager-webhook',
              dedupKey: incoming.dedupKey,
              groupKey: incoming.groupKey,
              alerts: incoming.alerts,
              slos: incoming.slos,
            },
          })
          say(
            `paged ${responder.name}: ${incoming.alerts.join(', ')} on ${incoming.slos.join(', ') || 'no SLO'}`,
          )
          keep(delivery.trigger(incident))
          if (!first) return
          resolvePaged(incoming)
          await respond(incoming)
        })(),
      )
    },
    onResolved: (incident) => {
      open.delete(incident.groupKey)
      track(
        journal.append({
          type: 'page.resolved',
          data: { groupKey: incident.groupKey, dedupKey: incident.dedupKey, reason: 'alerts resolved' },
        }),
      )
      keep(delivery.resolve(incident))
    },
  })
  return {
    url: pager.url,
    paged,
    isPaged: () => page !== undefined,
    acknowledge,
    acknowledged: () => acknowledged,
    async close() {
      await pager.close()
      for (const incident of open.values()) {
        await journal.append({
          type: 'page.resolved',
          data: { groupKey: incident.groupKey, dedupKey: incident.dedupKey, reason: 'drill ended' },
        })
        await delivery.resolve({
          ...incident,
          notification: resolvedNotification(incident.notification, options.clock.now()),
        })
      }
      open.clear()
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    },
  }
}
