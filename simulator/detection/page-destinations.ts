import { PageDestinationInvalidError } from './errors.ts'
import { PAGERDUTY_EVENTS_URL } from './pagerduty-event.ts'

/** Where pages go besides the responder, read once from the environment. */
export interface PageDestinations {
  /** PagerDuty Events API v2: trigger, acknowledge and resolve under one dedup key. */
  pagerDuty: { url: string; routingKey: string } | null
  /** Alertmanager-shaped webhooks: the page's notification, and its resolution. */
  webhooks: readonly string[]
}

export const NO_PAGE_DESTINATIONS: PageDestinations = Object.freeze({ pagerDuty: null, webhooks: [] })

/** The environment variables page destinations come from. */
export const PAGE_ENV = {
  routingKey: 'FIREDRILL_PAGERDUTY_ROUTING_KEY',
  pagerDutyUrl: 'FIREDRILL_PAGERDUTY_URL',
  webhooks: 'FIREDRILL_PAGE_WEBHOOK_URLS',
} as const

/**
 * Reads page destinations from the environment: `FIREDRILL_PAGERDUTY_ROUTING_KEY` (an Events API v2
 * integration key: 32 letters and digits) turns PagerDuty on, at `FIREDRILL_PAGERDUTY_URL` (default PagerDuty's
 * own); `FIREDRILL_PAGE_WEBHOOK_URLS` lists webhook URLs, comma-separated. A variable that is set but wrong is
 * an error (exit 2), never ignored.
 */
export function pageDestinationsFromEnv(env: NodeJS.ProcessEnv): PageDestinations {
  const routingKey = env[PAGE_ENV.routingKey]
  const pagerDutyUrl = env[PAGE_ENV.pagerDutyUrl]
  const webhookList = env[PAGE_ENV.webhooks]
  if (routingKey !== undefined && !/^[A-Za-z0-9]{32}$/.test(routingKey))
    throw new PageDestinationInvalidError(
      PAGE_ENV.routingKey,
      'must be a PagerDuty Events API v2 integration key: 32 letters and digits',
    )
  if (pagerDutyUrl !== undefined) {
    if (routingKey === undefined)
      throw new PageDestinationInvalidError(
        PAGE_ENV.pagerDutyUrl,
        `is set but ${PAGE_ENV.routingKey} is not (PagerDuty needs the integration's routing key)`,
      )
    checkUrl(PAGE_ENV.pagerDutyUrl, pagerDutyUrl)
  }
  const webhooks =
    webhookList === undefined
      ? []
      : webhookList
          .split(',')
          .map((url) => url.trim())
          .filter((url) => url !== '')
  for (const url of webhooks) checkUrl(PAGE_ENV.webhooks, url)
  return {
    pagerDuty: routingKey === undefined ? null : { url: pagerDutyUrl ?? PAGERDUTY_EVENTS_URL, routingKey },
    webhooks,
  }
}

function checkUrl(variable: string, value: string): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new PageDestinationInvalidError(variable, `must hold http(s) URLs (got ${JSON.stringify(value)})`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PageDestinationInvalidError(variable, `must hold http(s) URLs (got ${JSON.stringify(value)})`)
}
