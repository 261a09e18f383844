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

const work = await mkdtemp(join(tmpdir(), 'firedrill-migration-'))
afterAll(() => rm(work, { recursive: true, force: true }))

describe('a data migration in the start-up path (migration-at-startup)', () => {
  it('passes the gate and staging, fails the rolling deploy health check in production, rolls back by itself, releases nothing, and the fix closes the loop', async () => {
    // Rolling batches are whole api instances: one of two, then both.
    const release = {
      steps: [
        { percent: 50, holdSeconds: 1 },
        { percent: 100, holdSeconds: 1 },
      ],
    }
    const loaded = await loadScenario(await quickScenario({ release }, 'migration-at-startup'))
    const outDir = await mkdtemp(join(work, 'run-'))
    const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir })
    const { events } = await readJournal(outcome.journal)
    expect(outcome.status).toBe('prevented')

    // Through the gate and staging (an empty store there), then the first production batch never became ready.
    expect(eventsOf(events, 'change.merged')).toHaveLength(1)
    expect(eventsOf(events, 'change.deployed').map((e) => e.data.environment)).toEqual(['staging'])
    const [rolledBack] = eventsOf(events, 'deploy.rolled-back')
    expect(rolledBack?.data).toMatchObject({ environment: 'production', check: 'health', slots: [0] })
    expect(rolledBack?.data.detail).toMatch(/migration.*Cannot read properties of undefined/)
    const production = eventsOf(events, 'deploy.step').filter((e) => e.data.environment === 'production')
    expect(production.map((e) => e.data.step)).toEqual([
      'deploy.started',
      'health.failed',
      'rolled-back',
      'deploy.finished',
    ])
    expect(production.at(-1)?.data.outcome).toBe('rolled-back')

    // Nothing released, nothing paged, and the same workload held on production as it was.
    expect(eventsOf(events, 'release.step')).toEqual([])
    expect(eventsOf(events, 'alert.fired')).toEqual([])
    expect(eventsOf(events, 'steady-state.checked').map((e) => [e.data.when, e.data.ok])).toEqual([
      ['before', true],
      ['after', true],
    ])

    // The loop closed: the fix merged through the gate, and the migration put back is stopped by its contract test.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['contract-tests'],
    })
    expect(outcome.loopClosed).toBe(true)

    // The postmortem tells a deploy-time near miss, with the batch's own timings.
    const { summary } = await reportRun(outcome.outDir)
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('Prevented: the change was stopped before production')
    expect(markdown).toMatch(/after the batch began the deploy had rolled it back/)
    expect(markdown).toContain('A near miss, caught at deploy time.')
    expect(markdown).toContain(
      "Caught at deploy time, before any release: the rolling deploy's health check failed",
    )
    expect(markdown).not.toMatch(/flag `null`|gate refused/)
  }, 180_000)
})
