import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../record/clock/clock.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { DrillJournal } from './drill-journal.ts'
import { type DrillPhaseStep, type PhaseCheck, runPhases } from './drill-phases.ts'
import { createDrillRunControl, type DrillRunControl } from './drill-run-control.ts'
import { untilAborted } from './drill-safety.ts'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

interface TestDrill {
  run: DrillRunControl
  journal: DrillJournal
  /** What the bodies did, in order. */
  did: string[]
  said: string[]
}

async function testDrill(): Promise<TestDrill> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-phases-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const journal = new DrillJournal(
    await JournalWriter.create(join(dir, 'journal.jsonl'), { clock: systemClock }),
  )
  cleanup.push(() => journal.close())
  const said: string[] = []
  const run = createDrillRunControl({ journal, say: (line) => said.push(line), interrupted: 'interrupted' })
  cleanup.push(async () => run.dispose())
  return { run, journal, did: [], said }
}

/** The journal as `phase:<name>`, `<type>:<check name>` for checks, `drill.aborted:<reason>`, else the type. */
function trail(drill: TestDrill): string[] {
  return drill.journal.events.map((e) => {
    if (e.type === 'phase.entered') return `phase:${e.data.phase}`
    if (e.type === 'check.passed' || e.type === 'check.failed') return `${e.type}:${e.data.name}`
    if (e.type === 'drill.aborted') return `drill.aborted:${e.data.reason} (${e.data.condition})`
    return e.type
  })
}

const body =
  (what: string) =>
  async (drill: TestDrill): Promise<void> => {
    drill.did.push(what)
  }
const check =
  (name: string, ok: boolean): PhaseCheck<TestDrill> =>
  async () => ({ name, ok, evidence: { checked: name } })

/** The tail every table ends with: cleanup, whatever happened. */
const CLEANUP: DrillPhaseStep<TestDrill> = { name: 'cleanup', always: true, run: body('cleanup') }

describe('the phase runner', () => {
  it('enters each phase in order, with its checks around its body, and a nameless row stays in its phase', async () => {
    const drill = await testDrill()
    await runPhases<TestDrill>(
      [
        {
          name: 'deploy',
          entry: [check('ready to deploy', true)],
          run: body('deploy'),
          exit: [check('dark', true)],
        },
        { run: body('watch') },
        { name: 'release', run: body('release'), exit: [async () => null, check('released', true)] },
        { name: 'respond', when: () => false, run: body('respond') },
        { name: 'steady-state-after', run: body('steady state') },
        CLEANUP,
      ],
      drill,
    )
    expect(trail(drill)).toEqual([
      'phase:deploy',
      'check.passed:ready to deploy',
      'check.passed:dark',
      'phase:release',
      'check.passed:released',
      'phase:steady-state-after',
      'phase:cleanup',
    ])
    expect(drill.did).toEqual(['deploy', 'watch', 'release', 'steady state', 'cleanup'])
    expect(drill.said).toEqual(['deploy', 'release', 'steady-state-after', 'cleanup'])
    expect(drill.run.aborted()).toBeUndefined()
  })

  it('stops before the body when an entry check fails, and goes on only with the rows that always run', async () => {
    const drill = await testDrill()
    await runPhases<TestDrill>(
      [
        { name: 'deploy', run: body('deploy') },
        {
          name: 'release',
          entry: [check('dark', true), check('error budget left', false), check('never asked', true)],
          run: body('release'),
        },
        { name: 'respond', run: body('respond') },
        CLEANUP,
      ],
      drill,
    )
    expect(drill.did).toEqual(['deploy', 'cleanup'])
    expect(trail(drill)).toEqual([
      'phase:deploy',
      'phase:release',
      'check.passed:dark',
      'check.failed:error budget left',
      'drill.aborted:entry check failed: error budget left (error)',
      'phase:cleanup',
    ])
    const failed = drill.journal.events.find((e) => e.type === 'check.failed')
    expect(failed?.data).toEqual({
      name: 'error budget left',
      evidence: { checked: 'error budget left' },
      message: 'error budget left did not hold',
    })
  })

  it('aborts with check.failed journalled when an exit check fails after the body', async () => {
    const drill = await testDrill()
    await runPhases<TestDrill>(
      [
        {
          name: 'deploy',
          run: body('deploy'),
          exit: [check('service healthy', true), check('change is dark', false)],
        },
        { run: body('watch') },
        { name: 'steady-state-before', run: body('steady state') },
        CLEANUP,
      ],
      drill,
    )
    expect(drill.did).toEqual(['deploy', 'cleanup'])
    expect(trail(drill)).toEqual([
      'phase:deploy',
      'check.passed:service healthy',
      'check.failed:change is dark',
      'drill.aborted:exit check failed: change is dark (error)',
      'phase:cleanup',
    ])
    expect(drill.run.aborted()?.reason).toBe('exit check failed: change is dark')
  })

  it('skips to cleanup when the drill is stopped while a phase waits, keeping the stop it was given', async () => {
    const drill = await testDrill()
    await runPhases<TestDrill>(
      [
        { name: 'release', run: body('release') },
        {
          name: 'respond',
          run: async (d) => {
            d.did.push('waiting for the page')
            setImmediate(() => d.run.stop('error budget exhausted', 'error-budget'))
            await untilAborted(new Promise(() => {}), d.run.signal)
            d.did.push('paged')
          },
        },
        { name: 'recover', run: body('recover') },
        { always: true, run: body('quiet down') },
        CLEANUP,
        {
          name: 'follow-up',
          always: true,
          when: (d) => d.run.aborted() === undefined,
          run: body('follow-up'),
        },
      ],
      drill,
    )
    expect(drill.did).toEqual(['release', 'waiting for the page', 'quiet down', 'cleanup'])
    expect(trail(drill)).toEqual([
      'phase:release',
      'phase:respond',
      'drill.aborted:error budget exhausted (error-budget)',
      'phase:cleanup',
    ])
  })

  it("says a failure of the drill's own machinery as such", async () => {
    const drill = await testDrill()
    await runPhases<TestDrill>(
      [
        {
          name: 'deploy',
          run: async () => {
            throw new Error('the shop did not start')
          },
        },
        { name: 'steady-state-before', run: body('steady state') },
        CLEANUP,
      ],
      drill,
    )
    expect(drill.did).toEqual(['cleanup'])
    expect(trail(drill)).toEqual([
      'phase:deploy',
      'drill.aborted:drill failed: the shop did not start (error)',
      'phase:cleanup',
    ])
  })
})
