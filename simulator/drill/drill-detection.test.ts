import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../record/clock/clock.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import {
  type ShopMetricsTestServer,
  startShopMetricsTestServer,
} from '../detection/shop-metrics-test-server.ts'
import { scenarioWith } from '../detection/testing/scenario-with.ts'
import { createDrillDetection } from './drill-detection.ts'
import { DrillJournal } from './drill-journal.ts'
import { startDrillPaging } from './drill-paging.ts'
import type { Responder } from './responders/responder.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

/** Takes the page and nothing more: what is under test is how many pages come. */
const listener: Responder = { kind: 'bot', name: 'listener', respond: async () => {} }

/**
 * Detection and paging as the drill wires them, on a real instance's metrics: clean traffic, then errors that
 * switch on and off every 800 ms (the fast-burn short window flaps across its threshold while the long one
 * stays over it), then clean traffic until every alert has resolved.
 */
async function flappingIncident(keepFiringFor: string) {
  // 1h = 4 s: the fast-burn pair is 4 s / 333 ms.
  const scenario = scenarioWith((doc) => {
    doc.timeScale = 1 / 900
    doc.detection = {
      scrapeIntervalMs: 40,
      evaluationIntervalMs: 40,
      keepFiringFor,
      grouping: { groupWait: '30s', groupInterval: '1m' },
      rules: [{ name: 'fast-burn', severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 }],
    }
  })
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-detection-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const journal = new DrillJournal(
    await JournalWriter.create(join(dir, 'journal.jsonl'), { clock: systemClock }),
  )
  cleanup.push(() => journal.close())
  const api: ShopMetricsTestServer = await startShopMetricsTestServer()
  cleanup.push(() => api.close())
  const lines: string[] = []
  const failures: unknown[] = []
  const track = (task: Promise<unknown>) => {
    task.catch((err: unknown) => failures.push(err))
  }
  const controller = new AbortController()
  const paging = await startDrillPaging({
    responder: listener,
    journal,
    flagsUrl: 'http://127.0.0.1:9',
    token: 't',
    clock: systemClock,
    signal: controller.signal,
    track,
    say: (line) => lines.push(line),
    runId: 'run-1',
    scenario: 'flapping',
  })
  const detection = createDrillDetection({
    scenario,
    clock: systemClock,
    targets: [api.url],
    journal,
    runId: 'run-1',
    pagerUrl: paging.url,
    externalURL: 'http://127.0.0.1:9',
    track,
    say: (line) => lines.push(line),
    onEvaluated: () => {},
  })
  detection.start()

  // 20 requests every 20 ms; `bad` of them answer 500.
  let bad = 0
  const traffic = setInterval(() => {
    void api.answer(500, bad).then(() => api.answer(201, 20 - bad))
  }, 20)
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  try {
    await sleep(4500)
    for (let flap = 0; flap < 6; flap++) {
      bad = flap % 2 === 0 ? 20 : 0
      await sleep(800)
    }
    bad = 0
    // Clean until the incident resolves (bounded).
    const deadline = Date.now() + 10_000
    while (!journal.events.some((e) => e.type === 'page.resolved') && Date.now() < deadline) await sleep(50)
  } finally {
    clearInterval(traffic)
    await detection.stop()
    await paging.close()
  }
  expect(failures).toEqual([])
  return { events: journal.events, lines }
}

describe('one page per incident', () => {
  it('holds a flapping alert with keep_firing_for and pages once; the journal keeps every transition', async () => {
    const { events, lines } = await flappingIncident('30m')
    expect(lines.filter((l) => l.startsWith('ALERT'))).toHaveLength(1)
    expect(eventsOf(events, 'alert.fired')).toHaveLength(1)
    expect(eventsOf(events, 'page.sent')).toHaveLength(1)
    expect(eventsOf(events, 'page.sent')[0]!.data).toMatchObject({
      alert: 'fast-burn',
      to: 'listener',
      groupKey: '{}/{drill_run="run-1"}:{}',
      slos: ['orders-availability'],
    })
    // The flaps are in the journal, as the alert's condition clearing and coming back.
    expect(eventsOf(events, 'alert.held').length).toBeGreaterThanOrEqual(1)
    expect(eventsOf(events, 'alert.rearmed').length).toBeGreaterThanOrEqual(1)
    expect(eventsOf(events, 'alert.resolved')).toHaveLength(1)
    expect(eventsOf(events, 'page.resolved').map((e) => e.data.reason)).toEqual(['alerts resolved'])
    expect(eventsOf(events, 'alert.received').map((e) => e.data.outcome)).toEqual(['paged', 'resolved'])
    expect(eventsOf(events, 'sli.sampled').length).toBeGreaterThan(10)
  }, 40_000)

  it('without keep_firing_for, the same flapping fires, resolves and pages again', async () => {
    const { events, lines } = await flappingIncident('0s')
    expect(lines.filter((l) => l.startsWith('ALERT')).length).toBeGreaterThan(1)
    expect(eventsOf(events, 'page.sent').length).toBeGreaterThan(1)
  }, 40_000)
})
