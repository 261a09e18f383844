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
  quickScenario({ release: { steps: [{ percent: 100, holdSeconds: 1 }] } }, 'mutable-tag')

describe('a moved release tag (mutable-tag)', () => {
  it('is refused by production, which deploys only what staging verified, and ends a near miss', async () => {
    const loaded = await loadScenario(await scenario())
    const outDir = await mkdtemp(join(tmpdir(), 'firedrill-run-'))
    const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir })
    const { events } = await readJournal(outcome.journal)
    expect(outcome.status).toBe('prevented')

    // The change went through the gate and staging; the tag then moved to a rebuild with other files.
    expect(eventsOf(events, 'change.merged')).toHaveLength(1)
    const [built] = eventsOf(events, 'artifact.built')
    const staged = eventsOf(events, 'change.deployed').filter((e) => e.data.environment === 'staging')
    expect(staged.map((e) => e.data.artifact)).toEqual([built?.data.contentHash])
    const tagged = eventsOf(events, 'artifact.tagged')
    expect(tagged.map((e) => [e.data.tag, e.data.contentHash])).toEqual([
      ['release', built?.data.contentHash],
      ['release', expect.not.stringMatching(built?.data.contentHash ?? '')],
    ])
    expect(tagged[1]?.data.previous?.contentHash).toBe(built?.data.contentHash)

    // Production refused what the tag named, touching nothing: no production deploy of the change at all.
    const [refused] = eventsOf(events, 'deploy.refused')
    expect(refused?.data).toMatchObject({
      environment: 'production',
      tag: 'release',
      contentHash: tagged[1]?.data.contentHash,
      verifiedContentHash: built?.data.contentHash,
    })
    const production = eventsOf(events, 'deploy.step').filter((e) => e.data.environment === 'production')
    expect(production.map((e) => [e.data.step, e.data.outcome])).toEqual([['deploy.finished', 'refused']])
    expect(eventsOf(events, 'change.deployed').filter((e) => e.data.environment === 'production')).toEqual([])
    expect(eventsOf(events, 'alert.fired')).toEqual([])

    const { summary, postmortem, checks } = await reportRun(outcome.outDir)
    expect(summary).toMatchObject({ status: 'prevented', impact: { failedRequests: 0 } })
    expect(postmortem.summary).toMatch(/A near miss, caught at deploy time\.$/)
    expect(postmortem.detection).toMatch(/^Caught at deploy time, before any release/)
    expect(postmortem.impact.statement).toMatch(/^None from the change: production refused the artifact/)
    expect(postmortem.actionItems.map((i) => [i.type, i.priority])).toEqual([
      ['prevent', 'P1'],
      ['mitigate', 'P0'],
      ['process', 'P2'],
    ])
    expect(checks.find((s) => s.name === 'outcome')?.cases.every((c) => c.status === 'passed')).toBe(true)
    expect(checks.find((s) => s.name === 'loop')?.cases.map((c) => c.status)).toEqual(['skipped'])
    await rm(outcome.outDir, { recursive: true })
  }, 120_000)
})
