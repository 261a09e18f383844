import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const FLAG = 'checkout.new-pricing'
const LATENCY_SLO = 'orders-latency'

const work = await mkdtemp(join(tmpdir(), 'firedrill-latency-regression-'))
afterAll(() => rm(work, { recursive: true, force: true }))

async function drill(extra: Partial<Parameters<typeof runDrill>[0]> = {}) {
  const loaded = await loadScenario(await quickScenario({}, 'latency-regression'))
  const outDir = await mkdtemp(join(work, 'run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events }
}

describe('the latency-regression drill', () => {
  it('pages on the latency SLO while nothing fails, turns the flag off, closes the loop with a test that counts lookups, and the gate refuses the change when it comes again', async () => {
    const { outcome, events } = await drill()
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // Nothing failed: checkout kept answering, only slower than the latency SLO's threshold.
    const { summary } = await reportRun(outcome.outDir)
    expect(summary.impact.failedRequests).toBe(0)
    expect(summary.slos.find((s) => s.slo === LATENCY_SLO)?.bad).toBeGreaterThan(0)
    expect(summary.slos.find((s) => s.slo === 'orders-availability')?.bad).toBe(0)

    // The page came from the latency SLO's burn-rate alert, and the responder turned the flag off.
    const fired = eventsOf(events, 'alert.fired')
    expect(fired[0]?.data.slo).toBe(LATENCY_SLO)
    expect(fired.filter((e) => e.data.slo !== LATENCY_SLO)).toEqual([])
    expect(eventsOf(events, 'page.sent')[0]?.data.slos).toEqual([LATENCY_SLO])
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({ flag: FLAG, action: 'flag off' })

    // The loop closed: the fix merged through a green gate, and the bad change's code put back on that trunk is
    // stopped by the unit test the fix added (at most one promotions lookup across many orders).
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['unit-tests'],
    })
    expect(eventsOf(events, 'verify.finished')[0]?.data).toMatchObject({ holds: true, loop: { holds: true } })
    expect(outcome.loopClosed).toBe(true)
    expect(outcome.flagClosedOut).toBe(true)

    // The postmortem tells the latency story: the latency SLO burned, the call each order waited for, no failures.
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toMatch(
      /SLO orders-latency \(POST \/orders answered within 500 ms, 99 %\) burned: [a-z-]+(, [a-z-]+)? fired\./,
    )
    expect(markdown).toContain(
      'SLO orders-availability (POST /orders answered without a 5xx, 99 %) did not burn.',
    )
    expect(markdown).toContain('waits for a lookup of the coupon catalog from the promotions service')
    expect(markdown).not.toContain('coupon code the catalog does not know')

    // The same workload on the trunk the loop left: the gate refuses the change, its unit-tests step among the
    // steps that stop it, and nothing pages. (The flag's close-out removed the code path the change edits, so
    // the change's old code also fails to typecheck and names an archived flag.)
    const again = await drill({ again: outcome.outDir, followUp: false })
    expect(again.outcome.status).toBe('prevented')
    expect(eventsOf(again.events, 'change.refused')[0]?.data.blockedBy).toContain('unit-tests')
    expect(eventsOf(again.events, 'change.merged')).toEqual([])
    expect(eventsOf(again.events, 'alert.fired')).toEqual([])
  }, 240_000)
})
