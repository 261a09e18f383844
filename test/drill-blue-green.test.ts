import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { unflaggedReleaseDrill } from './support/release-drill.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-blue-green-'))
afterAll(() => rm(work, { recursive: true, force: true }))

describe('a blue-green release', () => {
  it('deploys the change to green beside blue, switches all traffic at once, and the rollback is the switch back to blue, with nothing redeployed', async () => {
    const release = { strategy: 'blue-green', steps: [{ percent: 100, holdSeconds: 8 }] }
    const { outcome, events, at } = await unflaggedReleaseDrill(work, release)
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // Green (slots 2 and 3) got the change while blue (0 and 1) kept the build before it and all the traffic.
    const base = eventsOf(events, 'rollback.requested')[0]?.data.to
    const greenDeploy = eventsOf(events, 'deploy.step').filter(
      (e) =>
        e.data.environment === 'production' &&
        e.data.step === 'instance.updated' &&
        e.data.contentHash !== base,
    )
    expect(greenDeploy.map((e) => e.data.slot)).toEqual([2, 3])

    // The release is one switch to green; the bot diagnosed the live deploy and the rollback switched back.
    const switches = eventsOf(events, 'traffic.switched')
    expect(switches.map((e) => [e.data.to, e.data.slots, e.data.by])).toEqual([
      ['green', [2, 3], 'release-train'],
      ['blue', [0, 1], 'responder-bot'],
    ])
    expect(eventsOf(events, 'release.step')).toHaveLength(1)
    expect(eventsOf(events, 'responder.diagnosed')[0]?.data.action).toEqual({ kind: 'rollback', to: base })
    const requested = eventsOf(events, 'rollback.requested')[0]!
    const mitigated = eventsOf(events, 'mitigation.applied')[0]!
    expect(mitigated.data).toMatchObject({ action: 'rollback', to: base, by: 'responder-bot' })
    // Nothing was redeployed to go back: no production deploy step after the request.
    expect(
      eventsOf(events, 'deploy.step').filter(
        (e) => e.data.environment === 'production' && at(e) >= at(requested),
      ),
    ).toEqual([])
    expect(at(mitigated) - at(requested)).toBeLessThan(2000)

    const { summary, checks } = await reportRun(outcome.outDir)
    // `run --ci` passes it: every check of the phases, the incident and the loop.
    const failing = checks
      .flatMap((suite) => suite.cases)
      .filter((c) => c.status !== 'passed' && c.status !== 'skipped')
    expect(failing).toEqual([])
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('in a blue-green release')
    expect(markdown).toMatch(/switched all traffic back to the blue api instances/)
    expect(markdown).toContain('sending every request back to the previous build on the blue instances')
    expect(markdown).toContain('no flag (a blue-green release)')
    expect(markdown).not.toContain('a health-checked redeploy of every instance')
  }, 180_000)
})
