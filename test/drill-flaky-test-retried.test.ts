import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { git } from '../record/git/git.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { SCENARIO_CATALOG_DIR } from '../record/scenario/scenario-catalog.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import type { runDrill } from '../simulator/drill/run-drill.ts'
import { catalogDrill } from './support/release-drill.ts'

const FLAG = 'checkout.new-pricing'
const DECOY = 'checkout.gift-messages'
const SCENARIO = join(SCENARIO_CATALOG_DIR, 'flaky-test-retried')
const PRICING_TEST = 'services/api/pricing/pricing.test.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-flaky-test-'))
afterAll(() => rm(work, { recursive: true, force: true }))

/** Runs the shop's pricing test in `dir` with vitest; whether it passed, and what vitest printed. */
async function pricingTest(dir: string): Promise<{ passed: boolean; output: string }> {
  const vitest = join(dir, 'node_modules', '.bin', 'vitest')
  try {
    const { stdout, stderr } = await promisify(execFile)(
      vitest,
      ['run', '--reporter=verbose', PRICING_TEST],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', CI: '1' },
      },
    )
    return { passed: true, output: stdout + stderr }
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string }
    return { passed: false, output: stdout + stderr }
  }
}

const drill = (extra: Partial<Parameters<typeof runDrill>[0]> = {}) =>
  catalogDrill(work, 'flaky-test-retried', {}, extra)

describe('the flaky-test-retried drill', () => {
  it('ships a test that fails on its first attempt and passes on a retry, and fails for good without the retry', async () => {
    const repo = await createSandboxRepo(join(work, 'shop'))
    await git(repo.dir, ['apply', join(SCENARIO, 'change.patch')])
    const file = join(repo.dir, PRICING_TEST)
    const text = await readFile(file, 'utf8')
    expect(text).toContain('{ retry: 3 }')

    // As the change has it: green, with the retry vitest reports.
    const retried = await pricingTest(repo.dir)
    expect(retried.output).toMatch(/retry x1/)
    expect(retried.passed).toBe(true)

    // The same test without its retry: the first cart it draws is in pounds, and the new path throws on it.
    await writeFile(file, text.replace('{ retry: 3 }', '{}'))
    const once = await pricingTest(repo.dir)
    expect(once.passed).toBe(false)
    expect(once.output).toContain('no euro rate for currency "GBP"')
  }, 60_000)

  it('pages on availability, turns the flag off (not the decoy), and closes the loop with a test that prices every currency, which refuses the change when it comes again', async () => {
    const { outcome, events } = await drill()
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // The change went through a green gate: its retried test passed there.
    const gate = eventsOf(events, 'gate.finished')[0]?.data
    expect(gate?.green).toBe(true)
    expect(gate?.steps.find((s) => s.name === 'unit-tests')?.status).toBe('passed')

    // The bot turned the release's flag off, never the flag storefront-team turned on after the page.
    expect(eventsOf(events, 'decoy.applied')[0]?.data).toMatchObject({ flag: DECOY })
    const mitigations = eventsOf(events, 'mitigation.applied')
    expect(mitigations).toHaveLength(1)
    expect(mitigations[0]?.data).toMatchObject({ flag: FLAG, action: 'flag off', by: 'responder-bot' })

    // Only orders in pounds failed.
    const { summary } = await reportRun(outcome.outDir)
    expect(summary.impact.failedRequests).toBeGreaterThan(0)

    // The loop closed: the fix merged through a green gate, and the change's code put back on that trunk is
    // stopped by the fix's test, which prices every currency on every run.
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
    expect(markdown).toContain('orders in GBP fail with HTTP 500')
    expect(markdown).toContain('it was marked to retry up to 3 times')
    expect(markdown).toContain('a test that passes only on a retry is a failing test')
    expect(markdown).not.toContain('coupon code the catalog does not know')

    // The same workload on the trunk the loop left: the gate refuses the change, and nothing pages.
    const again = await drill({ again: outcome.outDir, followUp: false })
    expect(again.outcome.status).toBe('prevented')
    expect(eventsOf(again.events, 'change.refused')[0]?.data.blockedBy).toContain('unit-tests')
    expect(eventsOf(again.events, 'alert.fired')).toEqual([])
  }, 240_000)
})
