import { afterEach, describe, expect, it } from 'vitest'
import { dedupKeyOf } from '../detection/pagerduty-event.ts'
import { postAlerts, startAlertmanager } from '../detection/testing/start-alertmanager.ts'
import type { MonitoringProcess } from '../detection/testing/start-monitoring-process.ts'
import { type Page, type Pager, type PagerNotification, startPager } from './pager.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

/** A pager whose pages, resolutions and notifications a test can wait for (each wait bounded). */
async function pager(pageSeverities?: string[]) {
  const pages: Page[] = []
  const resolved: string[] = []
  const notifications: PagerNotification[] = []
  const waiters: Array<() => void> = []
  const changed = () => {
    for (const wake of waiters.splice(0)) wake()
  }
  const started: Pager = await startPager({
    ...(pageSeverities === undefined ? {} : { pageSeverities }),
    onPage: (page) => {
      pages.push(page)
      changed()
    },
    onResolved: ({ groupKey }) => {
      resolved.push(groupKey)
      changed()
    },
    onNotification: (n) => {
      notifications.push(n)
      changed()
    },
  })
  cleanup.push(() => started.close())
  const until = async (what: string, done: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
  return { pager: started, pages, resolved, notifications, until }
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

const firing = {
  version: '4',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'pager',
  groupLabels: {},
  commonLabels: { alertname: 'fast-burn', severity: 'page' },
  commonAnnotations: {},
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'fast-burn', severity: 'page', slo: 'orders-availability' },
      annotations: { summary: 'burning' },
      startsAt: '2026-01-01T12:00:00.123456789Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '245f13a1ed919f3a',
    },
  ],
}

describe('pager webhook', () => {
  it('answers 400 with the reason for what Alertmanager never sends, and pages nothing', async () => {
    const { pager: p, pages } = await pager()
    const alertWithout = structuredClone(firing) as Record<string, unknown> & { alerts: object[] }
    delete (alertWithout.alerts[0] as Record<string, unknown>).annotations
    const cases: [string, string, string][] = [
      ['null', 'null', 'the body must be a JSON object (got null)'],
      ['a list', '[]', 'the body must be a JSON object (got a list)'],
      ['an alert without annotations', JSON.stringify(alertWithout), 'alerts[0].annotations is required'],
      ['another version', JSON.stringify({ ...firing, version: '3' }), 'version must be "4"'],
      ['no alerts', JSON.stringify({ ...firing, alerts: [] }), 'alerts must be a list'],
      [
        'a time that is not one',
        JSON.stringify({ ...firing, alerts: [{ ...firing.alerts[0], startsAt: 'yesterday' }] }),
        'alerts[0].startsAt must be an RFC 3339 time',
      ],
    ]
    for (const [what, body, reason] of cases) {
      const response = await post(p.url, body)
      expect(response.status, what).toBe(400)
      const answer = (await response.json()) as { status: string; error: string }
      expect(answer.status, what).toBe('error')
      expect(answer.error, what).toContain(reason)
    }
    expect(pages).toEqual([])
  })

  it('pages once per group: a repeat does not page again, resolved closes, a new group pages', async () => {
    const { pager: p, pages, resolved, notifications } = await pager()
    expect((await post(p.url, JSON.stringify(firing))).status).toBe(200)
    expect((await post(p.url, JSON.stringify(firing))).status).toBe(200)
    expect(pages).toHaveLength(1)
    expect(pages[0]).toMatchObject({
      alert: 'fast-burn',
      groupKey: '{}:{}',
      dedupKey: dedupKeyOf('{}:{}'),
      slos: ['orders-availability'],
    })
    const done = { ...firing, status: 'resolved', alerts: [{ ...firing.alerts[0], status: 'resolved' }] }
    await post(p.url, JSON.stringify(done))
    expect(resolved).toEqual(['{}:{}'])
    await post(p.url, JSON.stringify(firing))
    expect(pages).toHaveLength(2)
    expect(notifications.map((n) => n.outcome)).toEqual(['paged', 'repeat', 'resolved', 'paged'])
  })

  it('pages the severities it is told to, and takes the others without paging', async () => {
    const { pager: p, pages, notifications } = await pager(['sev1'])
    const page = (severity: string, groupKey: string) =>
      JSON.stringify({
        ...firing,
        groupKey,
        alerts: [{ ...firing.alerts[0], labels: { alertname: 'x', severity } }],
      })
    expect((await post(p.url, page('page', '{}:{a="1"}'))).status).toBe(200)
    expect((await post(p.url, page('sev1', '{}:{a="2"}'))).status).toBe(200)
    expect(pages.map((pg) => pg.severity)).toEqual(['sev1'])
    expect(notifications.map((n) => n.outcome)).toEqual(['not-paging', 'paged'])
  })
})

describe('pager behind a real Alertmanager', () => {
  it('takes what Alertmanager sends: a critical alert without annotations pages once, a repeat and a ticket do not, resolved closes', async () => {
    const { pager: p, pages, resolved, notifications, until } = await pager()
    const alertmanager: MonitoringProcess = await startAlertmanager(p.url, {
      groupBy: ['slo'],
      groupWait: '100ms',
      groupInterval: '300ms',
      repeatInterval: '1h',
    })
    cleanup.push(() => alertmanager.stop())

    // Today's default grouping of a team's Alertmanager: the alert has no annotations and says `critical`.
    await postAlerts(alertmanager, [
      { labels: { alertname: 'OrdersDown', severity: 'critical', slo: 'orders' } },
    ])
    await until('the first page', () => pages.length === 1)
    expect(pages[0]).toMatchObject({
      alert: 'OrdersDown',
      severity: 'critical',
      summary: 'OrdersDown is firing',
    })

    // A second alert joins the group: Alertmanager sends the group again; the incident is already paged.
    await postAlerts(alertmanager, [{ labels: { alertname: 'OrdersSlow', severity: 'page', slo: 'orders' } }])
    await until('the repeat', () => notifications.some((n) => n.outcome === 'repeat'))
    expect(
      notifications
        .find((n) => n.outcome === 'repeat')!
        .alerts.map((a) => a.alert)
        .sort(),
    ).toEqual(['OrdersDown', 'OrdersSlow'])

    // A ticket in its own group: taken, not paged.
    await postAlerts(alertmanager, [
      { labels: { alertname: 'BudgetLow', severity: 'ticket', slo: 'budget' } },
    ])
    await until('the ticket', () => notifications.some((n) => n.outcome === 'not-paging'))

    const endsAt = new Date(Date.now() - 1000).toISOString()
    await postAlerts(alertmanager, [
      { labels: { alertname: 'OrdersDown', severity: 'critical', slo: 'orders' }, endsAt },
      { labels: { alertname: 'OrdersSlow', severity: 'page', slo: 'orders' }, endsAt },
    ])
    await until('the resolution', () => resolved.length === 1)
    expect(resolved).toEqual([pages[0]!.groupKey])
    expect(pages).toHaveLength(1)
  }, 30_000)
})
