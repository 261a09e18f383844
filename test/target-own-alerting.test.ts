import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadTarget } from '../record/target/load-target.ts'
import { pickTimeScale } from '../record/target/pick-time-scale.ts'
import { FlagsHttpClient } from '../services/flags/flags-http-client.ts'
import { createPageDelivery, type PageDeliveryRecord } from '../simulator/detection/page-delivery.ts'
import { pageDestinationsFromEnv } from '../simulator/detection/page-destinations.ts'
import { startAlertmanager } from '../simulator/detection/testing/start-alertmanager.ts'
import {
  prometheusAlerts,
  prometheusRuleHealth,
  startPrometheus,
} from '../simulator/detection/testing/start-prometheus.ts'
import { type Page, startPager } from '../simulator/drill/pager.ts'
import { WORKBOOK_WINDOWS_MS } from '../simulator/target/target-preflight.ts'
import { startTemplateTraffic } from '../simulator/traffic/start-template-traffic.ts'
import { startPagerDutyReceiver } from './support/pagerduty-receiver.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { runCliInProcess } from './support/run-cli.ts'
import { serveShop, shopTargetFor } from './support/served-shop.ts'
import { until } from './support/until.ts'

const TOKEN = 'own-alerting-token'
const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000042'
const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

describe("a served shop addressed only through its target file, with the team's own alerting", () => {
  it('is detected by its own Prometheus (rules from slo rules --target), paged through its Alertmanager, and goes to PagerDuty as a drill', async () => {
    const shop = await serveShop(TOKEN)
    cleanup.push(() => shop.stop())
    // The team's Prometheus scrapes every 500 ms: the time scale is the one its windows can see.
    const targetFile = await shopTargetFor(shop, (text) =>
      text.replace('scrapeInterval: 1s', 'scrapeInterval: 500ms'),
    )
    const target = await loadTarget(targetFile)
    const pick = pickTimeScale({ scrapeIntervalMs: 500, windowsMs: WORKBOOK_WINDOWS_MS })
    if (!pick.ok) throw new Error(pick.message)
    expect(pick.compression).toBe(150)
    const scenario = await quickScenario({
      timeScale: pick.timeScale,
      detection: { scrapeIntervalMs: 500, evaluationIntervalMs: 500 },
    })
    const rulesFile = join(await mkdtemp(join(tmpdir(), 'firedrill-own-alerting-')), 'rules.yml')
    const rules = await runCliInProcess([
      'slo',
      'rules',
      '--scenario',
      scenario,
      '--target',
      targetFile,
      '--scale',
      'drill',
      '--out',
      rulesFile,
    ])
    expect(rules.code, rules.stderr).toBe(0)

    // PagerDuty Events v2, on a local socket.
    const pagerDuty = await startPagerDutyReceiver()
    cleanup.push(() => pagerDuty.close())
    const { events } = pagerDuty
    const pagerDutyUrl = pagerDuty.url
    const delivered: PageDeliveryRecord[] = []
    const delivery = createPageDelivery({
      destinations: pageDestinationsFromEnv({
        FIREDRILL_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        FIREDRILL_PAGERDUTY_URL: pagerDutyUrl,
      }),
      mark: { runId: 'own-alerting', scenario: 'bad-pricing' },
      onDelivered: (record) => delivered.push(record),
    })

    // firedrill's pager, behind the team's Alertmanager, behind the team's Prometheus.
    const pages: Page[] = []
    const pager = await startPager({
      onPage: (page) => {
        pages.push(page)
        void delivery.trigger({
          groupKey: page.groupKey,
          dedupKey: page.dedupKey,
          notification: page.notification,
        })
      },
    })
    cleanup.push(() => pager.close())
    const alertmanager = await startAlertmanager(pager.url, {
      groupBy: ['slo'],
      groupWait: '100ms',
      groupInterval: '300ms',
      repeatInterval: '1h',
    })
    cleanup.push(() => alertmanager.stop())
    const prometheus = await startPrometheus({
      targets: target.instances,
      rules: await readFile(rulesFile, 'utf8'),
      scrapeIntervalMs: 500,
      evaluationIntervalMs: 500,
      alertmanagerUrl: alertmanager.url,
    })
    cleanup.push(() => prometheus.stop())

    // The target's own traffic: its request template at its rate.
    const traffic = target.target.traffic
    if (traffic.kind !== 'template') throw new Error('the example target has no request template')
    const run = startTemplateTraffic({
      targets: target.instances,
      ratePerSecond: traffic.ratePerSecond,
      request: traffic.request,
      seed: 5,
      timeoutMs: 5000,
    })
    cleanup.push(() => run.stop())

    // Clean traffic first: every rule evaluates on the target's names, with data, and nothing pages.
    await until('every rule evaluated with data', async () => {
      const health = await prometheusRuleHealth(prometheus)
      if (health.length !== 6 || health.some((r) => r.health !== 'ok')) return undefined
      // The error ratio has no series before the first 5xx (bad over total, as sloth writes it too): wait for the
      // total, on the target's own names, over the long window.
      const total = 'sum(rate(http_request_duration_seconds_count{route="/orders"}[24s]))'
      const query = `${prometheus.url}/api/v1/query?query=${encodeURIComponent(total)}`
      const body = (await (await fetch(query)).json()) as { data: { result: unknown[] } }
      return body.data.result.length > 0 ? health : undefined
    })
    expect(pages).toEqual([])
    expect(run.summary().byStatus['503']).toBeUndefined()

    // The fault, through the target's flag source: orders turned away.
    const flags = new FlagsHttpClient({ baseUrl: shop.flags, token: TOKEN, actor: 'own-alerting-test' })
    const switchedAt = Date.now()
    await flags.set(
      'checkout.accepting-orders',
      { defaultVariant: 'off', targeting: null },
      'game day: orders paused',
    )
    cleanup.push(() =>
      flags.set('checkout.accepting-orders', { defaultVariant: 'on', targeting: null }, 'game day over'),
    )

    const page = await until('a page', async () => pages[0])
    expect(page).toMatchObject({ alert: 'fast-burn', severity: 'page', slos: ['orders-availability'] })
    const firing = await prometheusAlerts(prometheus)
    expect(
      firing.some((a) => a.labels.alertname === 'fast-burn' && Date.parse(a.activeAt) > switchedAt),
    ).toBe(true)

    const trigger = await until('the PagerDuty trigger', async () =>
      events.find((e) => e.event_action === 'trigger'),
    )
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      dedup_key: page.dedupKey,
      payload: { severity: 'critical', custom_details: { drill: true, run: 'own-alerting' } },
    })
    expect(trigger.payload!.summary).toMatch(/^\[DRILL own-alerting\] SLO orders-availability is burning/)
    // The receiver has the trigger before the sender has its 202: wait for the sender's record of it.
    const record = await until('the delivery record', async () =>
      delivered.find((d) => d.channel === 'pagerduty-events-v2'),
    )
    expect(record).toMatchObject({ ok: true, status: 202 })
    expect(run.summary().byStatus['503']).toBeGreaterThan(0)
  }, 120_000)
})
