import { mkdtemp, rm } from 'node:fs/promises'
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

/** The catalog's scenario with the suite's shorter steady states, and its one release step held 1 s. */
const scenario = () =>
  quickScenario({ release: { steps: [{ percent: 100, holdSeconds: 1 }] } }, 'secret-in-change')

async function drill(scenarioDir: string) {
  const loaded = await loadScenario(scenarioDir)
  const outDir = await mkdtemp(join(tmpdir(), 'firedrill-run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events }
}

describe('a change the gate must stop (secret-in-change)', () => {
  it('is refused by the secret scan, deploys nothing, and closes its near miss with the change done right', async () => {
    const { outcome, events } = await drill(await scenario())
    expect(outcome.status).toBe('prevented')
    const [refused] = eventsOf(events, 'change.refused')
    expect(refused?.data.blockedBy).toEqual(['secret-scan'])
    // Nothing of the change merged, was built or reached an environment; the release ran on trunk as it is.
    expect(eventsOf(events, 'change.merged')).toEqual([])
    expect(eventsOf(events, 'artifact.built')).toEqual([])
    expect(eventsOf(events, 'change.deployed')).toEqual([])
    expect(eventsOf(events, 'alert.fired')).toEqual([])
    expect(eventsOf(events, 'release.step').map((e) => e.data.percent)).toEqual([100])

    // The loop: the fix (the key from the environment, with a test) closes the prevent item through the gate,
    // and the change's own code put back on the fixed trunk is still refused by the scan.
    const [fix] = eventsOf(events, 'fix.merged')
    expect(fix?.data.gate.green).toBe(true)
    const [replay] = eventsOf(events, 'replay.gated')
    expect(replay?.data.green).toBe(false)
    expect(replay?.data.blockedBy).toContain('secret-scan')

    const report = await reportRun(outcome.outDir)
    expect(report.summary).toMatchObject({
      status: 'prevented',
      loopClosed: true,
      impact: { failedRequests: 0 },
    })
    const { postmortem } = report
    // The scenario's planned items, numbered the same during the follow-up and after: the fix closed the prevent one.
    expect(postmortem.actionItems.map((i) => [i.id, i.type, i.priority, i.status])).toEqual([
      ['AI-1', 'mitigate', 'P0', 'open'],
      ['AI-2', 'prevent', 'P1', 'done'],
      ['AI-3', 'process', 'P2', 'open'],
    ])
    expect(fix?.data.actionItem).toBe('AI-2')
    expect(postmortem.summary).toMatch(/caught by the gate on the first try/)
    expect(postmortem.summary).not.toMatch(/repeat/i)
    expect(postmortem.detection).toMatch(/^Caught at the gate, before any release: secret-scan failed/)
    expect(postmortem.lessons.gotLucky.join(' ')).toMatch(/must be rotated/)
    expect(postmortem.mistakeLog.repairEvidence.fix).toMatchObject({ green: true })

    // As a check: the gate refused the change, nothing reached production, and the loop closed.
    const outcomeSuite = report.checks.find((s) => s.name === 'outcome')
    expect(outcomeSuite?.cases.map((c) => [c.name, c.status])).toEqual([
      ['the bad change is stopped before production', 'passed'],
      ['nothing of the bad change reaches production', 'passed'],
    ])
    const loop = report.checks.find((s) => s.name === 'loop')
    expect(loop?.cases.filter((c) => c.status === 'failed')).toEqual([])
    expect(loop?.cases.find((c) => c.name === 'the replayed bad change is blocked by the gate')?.status).toBe(
      'passed',
    )
    await rm(outcome.outDir, { recursive: true })
  }, 180_000)
})
