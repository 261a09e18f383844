import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import type { runDrill } from '../simulator/drill/run-drill.ts'
import { catalogDrill } from './support/release-drill.ts'

const FLAG = 'payments.instant-retry'
const DECOY = 'checkout.gift-messages'
const DEGRADE_SWITCH = 'payments.defer-charges'

const work = await mkdtemp(join(tmpdir(), 'firedrill-retry-storm-'))
afterAll(() => rm(work, { recursive: true, force: true }))

// The scenario's own rate (the provider's capacity is set against it; the quick default doubles it), so time is
// compressed less than the quick default: the paging rule's short window still holds the ten orders a ratio needs.
const drill = (extra: Partial<Parameters<typeof runDrill>[0]> = {}) =>
  catalogDrill(work, 'retry-storm', { traffic: { ratePerSecond: 20 }, timeScale: 1 / 400 }, extra)

describe('the retry-storm drill', () => {
  it('burns the fulfilment SLO after a provider blip is over, turns the flag off (not the decoy or the degrade switch), and closes the loop with jittered retries, which refuse the change when it comes again', async () => {
    const { outcome, events, at } = await drill()
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // The change went through a green gate, and the workers roll onto it with the api, dark.
    expect(eventsOf(events, 'gate.finished')[0]?.data.green).toBe(true)
    expect(eventsOf(events, 'deploy.step').filter((e) => e.data.step === 'workers-rolled')).toHaveLength(1)

    // The blip: the provider fails for a second once the flag serves every order, then answers normally.
    const blip = eventsOf(events, 'provider.changed')
    expect(blip.map((e) => e.data.mode)).toEqual(['outage', 'none'])
    const full = eventsOf(events, 'release.step').find((e) => e.data.percent === 100)!
    expect(at(blip[0]!)).toBeGreaterThan(at(full))

    // The storm outlives the blip: the page comes after the provider is healthy again, and on fulfilment only.
    const fired = eventsOf(events, 'alert.fired')
    expect(fired.length).toBeGreaterThan(0)
    expect(new Set(fired.map((e) => e.data.slo))).toEqual(new Set(['orders-paid']))
    expect(at(fired[0]!)).toBeGreaterThan(at(blip[1]!))
    expect(eventsOf(events, 'traffic.stopped')[0]?.data.failures).toBe(0)

    // The bot read that the provider is operational again, and turned the release's flag off first time.
    const diagnosed = eventsOf(events, 'responder.diagnosed')
    expect(diagnosed).toHaveLength(1)
    expect(diagnosed[0]?.data.evidence.provider?.status).toBe('operational')
    expect(diagnosed[0]?.data.hypothesis).toMatch(/its own fault is over/)
    // The workers' dashboard, from the page to the acknowledgement, shows the storm that keeps it saturated.
    const workers = diagnosed[0]?.data.evidence.workers
    expect(workers?.workers).toBeGreaterThan(0)
    expect(workers?.rateLimited).toBeGreaterThan(0)
    expect(diagnosed[0]?.data.hypothesis).toMatch(
      /the workers' dashboard shows \d+ calls to the provider in [\d.]+ s for \d+ orders paid, \d+ of them refused with 429/,
    )
    expect(diagnosed[0]?.data.action).toEqual({ kind: 'flag-off', flag: FLAG })
    const mitigations = eventsOf(events, 'mitigation.applied')
    expect(mitigations).toHaveLength(1)
    expect(mitigations[0]?.data).toMatchObject({ flag: FLAG, action: 'flag off', by: 'responder-bot' })
    expect(eventsOf(events, 'decoy.applied')[0]?.data).toMatchObject({ flag: DECOY })
    const byBot = eventsOf(events, 'flag.changed').filter((e) => e.data.actor === 'responder-bot')
    expect(byBot.map((e) => e.data.key)).toEqual([FLAG])
    expect(eventsOf(events, 'flag.changed').map((e) => e.data.key)).not.toContain(DEGRADE_SWITCH)
    expect(eventsOf(events, 'recovery.confirmed')).toHaveLength(1)

    // Fulfilment burned; checkout's availability did not.
    const { summary } = await reportRun(outcome.outDir)
    expect(summary.impact.failedRequests).toBe(0)

    // The loop closed: the fix merged through a green gate, and the change's code put back on that trunk is
    // stopped by the fix's test of the waits between retries.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['unit-tests'],
    })
    expect(outcome.loopClosed).toBe(true)
    expect(outcome.flagClosedOut).toBe(true)

    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('orders-paid')
    expect(markdown).toContain('retried at once, up to 10 times, with no backoff and no jitter')
    expect(markdown).toContain("past the provider's capacity (50 charge attempts a second")
    expect(markdown).toContain('back off exponentially, with jitter, a bounded number of times')
    expect(markdown).not.toContain('cause external')
    expect(markdown).not.toContain('undefined')

    // The same workload on the trunk the loop left: the gate refuses the change, the same blip comes, and the
    // jittered retries ride it out with nobody paged.
    const again = await drill({ again: outcome.outDir, followUp: false })
    expect(again.outcome.abortReason).toBeUndefined()
    expect(again.outcome.status).toBe('prevented')
    expect(eventsOf(again.events, 'change.refused')[0]?.data.blockedBy).toContain('unit-tests')
    expect(eventsOf(again.events, 'provider.changed').map((e) => e.data.mode)).toEqual(['outage', 'none'])
    expect(eventsOf(again.events, 'page.sent')).toEqual([])
  }, 300_000)
})
