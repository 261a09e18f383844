import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { parseJunit } from '../record/junit/parse-junit.ts'
import { startAlertmanager } from '../simulator/detection/testing/start-alertmanager.ts'
import { startPrometheus } from '../simulator/detection/testing/start-prometheus.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { startPagerDutyReceiver } from './support/pagerduty-receiver.ts'
import { type Cleanup, quotesTarget } from './support/quotes-service.ts'
import { runCliInProcess } from './support/run-cli.ts'

const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000077'
const cleanup: Cleanup = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

/** A loopback port nothing listens on now: where the drill's pager will, once the team's Alertmanager knows it. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * A game day on the quote service with its exchange-rate dependency down, detected by the team's own Prometheus
 * (scraping every 500 ms, on the rules `slo rules --target` wrote), either through its Alertmanager or read by
 * firedrill directly, with pages going on to a PagerDuty receiver. Resolves with the run's summary, journal and
 * the PagerDuty events.
 */
async function gameDay(detector: 'alertmanager' | 'prometheus') {
  const port = await freePort()
  // The team's Prometheus scrapes every 500 ms.
  const { dir, targetFile, url, faults } = await quotesTarget(cleanup, (text) =>
    text.replace('scrapeInterval: 1s', 'scrapeInterval: 500ms'),
  )
  await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')

  // The rules the team loads: the target scenario's SLO on the target's own names, at the drill's time scale.
  const rulesFile = join(await mkdtemp(join(tmpdir(), 'firedrill-target-rules-')), 'rules.yml')
  const rules = await runCliInProcess([
    'slo',
    'rules',
    '--scenario',
    'target-canary',
    '--target',
    targetFile,
    '--scale',
    'drill',
    '--out',
    rulesFile,
  ])
  expect(rules.code, rules.stderr).toBe(0)

  const pagerDuty = await startPagerDutyReceiver()
  cleanup.push(() => pagerDuty.close())
  const { events } = pagerDuty
  const pagerDutyUrl = pagerDuty.url
  const saved = { ...process.env }
  process.env.FIREDRILL_PAGERDUTY_ROUTING_KEY = ROUTING_KEY
  process.env.FIREDRILL_PAGERDUTY_URL = pagerDutyUrl
  cleanup.push(async () => {
    for (const key of ['FIREDRILL_PAGERDUTY_ROUTING_KEY', 'FIREDRILL_PAGERDUTY_URL'] as const)
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
  })

  let alertmanagerUrl: string | undefined
  if (detector === 'alertmanager') {
    // Its Alertmanager's webhook receiver is the drill's pager.
    const alertmanager = await startAlertmanager(`http://127.0.0.1:${port}/alertmanager`, {
      groupBy: ['slo'],
      groupWait: '100ms',
      groupInterval: '300ms',
      repeatInterval: '1h',
    })
    cleanup.push(() => alertmanager.stop())
    alertmanagerUrl = alertmanager.url
  }
  const prometheus = await startPrometheus({
    targets: [url],
    rules: await readFile(rulesFile, 'utf8'),
    scrapeIntervalMs: 500,
    evaluationIntervalMs: 500,
    ...(alertmanagerUrl === undefined ? {} : { alertmanagerUrl }),
  })
  cleanup.push(() => prometheus.stop())
  await appendFile(
    targetFile,
    detector === 'alertmanager'
      ? `detection:\n  kind: alertmanager\n  listen: 127.0.0.1:${port}\n`
      : `detection:\n  kind: prometheus\n  url: ${prometheus.url}\n  pollInterval: 500ms\n`,
  )

  const out = join(dir, 'run')
  const junit = join(dir, 'drill.xml')
  const result = await runCliInProcess([
    'run',
    '--target',
    targetFile,
    '--out',
    out,
    '--json',
    '--junit',
    junit,
  ])
  expect(result.code, result.stderr).toBe(0)
  const summary = JSON.parse(result.stdout) as DrillSummary
  const { events: journal } = await readJournal(join(out, 'journal.jsonl'))
  const checks = parseJunit(await readFile(junit, 'utf8'))
  if (!checks.ok) throw new Error(checks.reason)
  return { summary, journal, events, checks: checks.cases }
}

describe("firedrill run --target with the team's own alerting", () => {
  for (const detector of ['alertmanager', 'prometheus'] as const)
    it(`is detected by the team's Prometheus ${detector === 'alertmanager' ? 'through its Alertmanager' : 'alone (firedrill reads its alerts)'}, pages PagerDuty as a drill, and says which detector fired`, async () => {
      const { summary, journal, events, checks } = await gameDay(detector)
      // As CI checks: every one green, detection among them, though firedrill raised no alert; the loop is the team's.
      expect(checks.filter((c) => c.status === 'failed')).toEqual([])
      expect(checks.find((c) => c.name === 'the loop closes')).toMatchObject({
        status: 'skipped',
        message: "a target's follow-up is its team's: firedrill runs no fix through a gate there",
      })
      expect(checks.map((c) => c.name)).toContain('the damage is detected by an SLO burn-rate alert')
      expect(summary).toMatchObject({ status: 'recovered', target: { name: 'quotes', detector } })
      expect(summary.timings.mttdMs).toBeGreaterThan(0)

      // firedrill raised no alert of its own: the page came from the team's alerting, and the timings say so.
      expect(eventsOf(journal, 'alert.fired')).toEqual([])
      const paged = eventsOf(journal, 'alert.received').find((e) => e.data.outcome === 'paged')
      expect(paged?.data.alerts.map((a) => a.slo)).toContain('availability')
      expect(summary.timings.detectedAt).toBe(paged?.at)
      expect(eventsOf(journal, 'drill.started')[0]?.data.detector).toBe(detector)

      // PagerDuty Events v2: trigger, acknowledge and resolve under one dedup key, each marked as a drill.
      const actions = events.map((e) => e.event_action)
      expect(actions).toEqual(expect.arrayContaining(['trigger', 'acknowledge', 'resolve']))
      expect(new Set(events.map((e) => e.dedup_key)).size).toBe(1)
      const trigger = events.find((e) => e.event_action === 'trigger')!
      expect(trigger).toMatchObject({
        routing_key: ROUTING_KEY,
        payload: { custom_details: { drill: true } },
      })
    }, 150_000)
})

describe("firedrill run --target on SLIs in the team's PromQL", () => {
  it("measures the SLO from the team's Prometheus (no /metrics scraped), detects the burn and sees the recovery", async () => {
    const { dir, targetFile, url, faults } = await quotesTarget(cleanup)
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const prometheus = await startPrometheus({
      targets: [url],
      rules: 'groups: []\n',
      scrapeIntervalMs: 500,
      evaluationIntervalMs: 500,
    })
    cleanup.push(() => prometheus.stop())
    // The target's SLIs as the team's PromQL, on the service's own names.
    const text = await readFile(targetFile, 'utf8')
    const slis = [
      'slis:',
      '  kind: prometheus',
      `  url: ${prometheus.url}`,
      '  scrapeInterval: 500ms',
      '  errors: sum(rate(quote_request_seconds_count{handler="/quote",code=~"5.."}[$window]))',
      '  total: sum(rate(quote_request_seconds_count{handler="/quote"}[$window]))',
    ].join('\n')
    await writeFile(targetFile, text.replace(/slis:\n(?: {2}.*\n)+/, `${slis}\n`))
    // A team's Prometheus has its service's traffic already: a few quotes, until the total has a series.
    const total = encodeURIComponent('sum(rate(quote_request_seconds_count{handler="/quote"}[5m]))')
    const deadline = Date.now() + 30_000
    for (;;) {
      await fetch(`${url}/quote`, {
        method: 'POST',
        body: JSON.stringify({ customer: 'warm-up', amount: 1 }),
      })
      const answer = (await (await fetch(`${prometheus.url}/api/v1/query?query=${total}`)).json()) as {
        data: { result: unknown[] }
      }
      if (answer.data.result.length > 0) break
      if (Date.now() > deadline) throw new Error('Prometheus never had a series for the quote service')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const out = join(dir, 'run')
    const result = await runCliInProcess(['run', '--target', targetFile, '--out', out, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary).toMatchObject({ status: 'recovered', target: { name: 'quotes', detector: 'firedrill' } })
    const { events } = await readJournal(join(out, 'journal.jsonl'))
    // Every sample came from Prometheus's API, not from the service's /metrics.
    const sampled = eventsOf(events, 'sli.sampled')
    expect(sampled.length).toBeGreaterThan(10)
    expect(eventsOf(events, 'detection.started')[0]?.data.targets).toEqual([])
    expect(eventsOf(events, 'alert.fired')[0]?.data).toMatchObject({ slo: 'availability', pages: true })
    expect(eventsOf(events, 'steady-state.checked').map((e) => e.data.ok)).toEqual([true, true])
  }, 150_000)
})
