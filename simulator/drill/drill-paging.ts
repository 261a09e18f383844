import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { Clock } from '../clock/clock.ts'
import type { DrillJournal } from './drill-journal.ts'
import { type Page, startPager } from './pager.ts'
import type { Responder } from './responders/responder.ts'

export interface DrillPagingOptions {
  responder: Responder
  journal: DrillJournal
  /** The flag service the responder may use, and its token. */
  flagsUrl: string
  token: string
  clock: Clock
  signal: AbortSignal
  track(task: Promise<unknown>): void
  say(line: string): void
}

export interface DrillPaging {
  /** Where alerts are sent (Alertmanager webhook receiver). */
  url: string
  /** Resolves with the first page. */
  paged: Promise<Page>
  isPaged(): boolean
  /** Journals the acknowledgement once, whoever gives it. */
  acknowledge(by: string, alert: string): Promise<void>
  acknowledged(): boolean
  close(): Promise<void>
}

/**
 * The drill's on-call: the first paging alert pages the responder (journalled), who then works in the
 * background with what an on-call engineer can reach: the flag service and its token.
 */
export async function startDrillPaging(options: DrillPagingOptions): Promise<DrillPaging> {
  const { responder, journal, say } = options
  let acknowledged = false
  let page: Page | undefined
  let resolvePaged: (page: Page) => void = () => {}
  const paged = new Promise<Page>((resolve) => {
    resolvePaged = resolve
  })
  const acknowledge = async (by: string, alert: string) => {
    if (acknowledged) return
    acknowledged = true
    await journal.append({ type: 'page.acknowledged', data: { alert, by } })
    say(`page acknowledged by ${by}`)
  }
  const pager = await startPager((incoming) => {
    if (page !== undefined) return
    page = incoming
    options.track(
      (async () => {
        await journal.append({
          type: 'page.sent',
          data: {
            alert: incoming.alert,
            to: responder.name,
            channel: 'alertmanager-webhook',
            dedupKey: incoming.fingerprint,
          },
        })
        say(`paged ${responder.name}: ${incoming.alert}`)
        resolvePaged(incoming)
        await responder.respond(incoming, {
          flags: new FlagsHttpClient({
            baseUrl: options.flagsUrl,
            token: options.token,
            actor: responder.name,
          }),
          flagsUrl: options.flagsUrl,
          token: options.token,
          clock: options.clock,
          signal: options.signal,
          acknowledge: (by) => acknowledge(by, incoming.alert),
          say,
        })
      })(),
    )
  })
  return {
    url: pager.url,
    paged,
    isPaged: () => page !== undefined,
    acknowledge,
    acknowledged: () => acknowledged,
    close: () => pager.close(),
  }
}
