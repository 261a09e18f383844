import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const FLAG = 'checkout.new-pricing'
// The steady state reads the fulfilment SLO, whose events are orders settled: a longer window than the quick
// scenario's 1.5 s keeps enough of them in it on a busy machine.
const CONTRACT_BREAK_QUICK = {
  traffic: { ratePerSecond: 40 },
  steadyState: { durationSeconds: 3, minRequests: 50 },
}

async function drill(scenarioDir: string, extra: Partial<Parameters<typeof runDrill>[0]> = {}) {
  const loaded = await loadScenario(scenarioDir)
  const outDir = await mkdtemp(join(tmpdir(), 'firedrill-run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events }
}

describe('the contract-break drill', () => {
  it('breaks the order record under workers on the previous build, pages on orders not paid while HTTP stays green, and closes the loop with a contract test', async () => {
    const { outcome, events } = await drill(await quickScenario(CONTRACT_BREAK_QUICK, 'contract-break'))
    expect(outcome.status, outcome.abortReason).toBe('recovered')

    // Checkout kept answering: no request failed. The orders the new path priced were never paid.
    const { summary, postmortem } = await reportRun(outcome.outDir)
    expect(summary.impact.failedRequests).toBe(0)
    const paid = summary.slos.find((s) => s.slo === 'orders-paid')
    expect(paid?.bad).toBeGreaterThan(0)
    expect(summary.slos.find((s) => s.slo === 'orders-availability')?.bad).toBe(0)
    const [fired] = eventsOf(events, 'alert.fired')
    expect(fired?.data.slo).toBe('orders-paid')
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({ flag: FLAG, action: 'flag off' })

    // The fix (expand/contract and the contract test) merged; the replay is stopped by the contract test alone.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['contract-tests'],
    })
    expect(outcome.loopClosed).toBe(true)

    // The close-out closes its own item.
    expect(outcome.flagClosedOut).toBe(true)
    const retire = postmortem.actionItems.find((i) => i.title.startsWith(`Retire the flag ${FLAG}`))
    expect(retire).toMatchObject({ status: 'done' })
    expect(eventsOf(events, 'cleanup.merged')[0]?.data.actionItem).toBe(retire?.id)

    // The postmortem tells this story, not the coupon one.
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('totalCents renamed to amountDueCents')
    expect(markdown).toMatch(
      /SLO orders-paid \(orders paid within 5 s of entering the fulfilment queue\): \d+ of \d+ events bad/,
    )
    expect(markdown).not.toContain('coupon code the catalog does not know')

    // The same workload on the trunk the loop left: the gate refuses the change by its contract test.
    const again = await drill(await quickScenario(CONTRACT_BREAK_QUICK, 'contract-break'), {
      again: outcome.outDir,
      followUp: false,
    })
    expect(again.outcome.status, again.outcome.abortReason).toBe('prevented')
    expect(eventsOf(again.events, 'change.refused')[0]?.data.blockedBy).toContain('contract-tests')
    expect(eventsOf(again.events, 'alert.fired')).toEqual([])
  }, 300_000)
})
