import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { unflaggedReleaseDrill, watchFirstDrill } from './support/release-drill.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-instance-canary-'))
afterAll(() => rm(work, { recursive: true, force: true }))

describe('an instance-canary release', () => {
  it('puts the change on one extra instance with its share of traffic, and the rollback takes the canary out, with nothing redeployed', async () => {
    const release = {
      strategy: 'instance-canary',
      steps: [
        { percent: 50, holdSeconds: 10 },
        { percent: 100, holdSeconds: 5 },
      ],
    }
    const { outcome, events, at } = await unflaggedReleaseDrill(work, release)
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // The canary (slot 2, beside blue's 0 and 1) got the change and half the traffic; the page came before the
    // last step, so no other instance ever ran the change.
    const base = eventsOf(events, 'rollback.requested')[0]?.data.to
    const changed = eventsOf(events, 'deploy.step').filter(
      (e) =>
        e.data.environment === 'production' &&
        e.data.step === 'instance.updated' &&
        e.data.contentHash !== base,
    )
    expect(changed.map((e) => e.data.slot)).toEqual([2])
    expect(eventsOf(events, 'release.step').map((e) => [e.data.percent, e.data.slots])).toEqual([[50, [2]]])
    expect(eventsOf(events, 'canary.routed').map((e) => [e.data.percent, e.data.by])).toEqual([
      [50, 'release-train'],
      [0, 'responder-bot'],
    ])

    // The bot rolled back; going back was taking the canary out of the traffic, nothing redeployed.
    expect(eventsOf(events, 'responder.diagnosed')[0]?.data.action).toEqual({ kind: 'rollback', to: base })
    const requested = eventsOf(events, 'rollback.requested')[0]!
    const mitigated = eventsOf(events, 'mitigation.applied')[0]!
    expect(mitigated.data).toMatchObject({ action: 'rollback', to: base, by: 'responder-bot' })
    expect(
      eventsOf(events, 'deploy.step').filter(
        (e) => e.data.environment === 'production' && at(e) >= at(requested),
      ),
    ).toEqual([])

    const { summary, checks } = await reportRun(outcome.outDir)
    const failing = checks
      .flatMap((suite) => suite.cases)
      .filter((c) => c.status === 'failed' || c.status === 'error')
    expect(failing).toEqual([])
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('no flag (an instance-canary release)')
    expect(markdown).toContain('in an instance-canary release: it was deployed to one extra api instance')
    expect(markdown).toMatch(/took the canary \(api slot 2\) out of the traffic/)
  }, 180_000)

  it('promotes at the last step (every instance on the change, the canary retired); the post-deploy watch catches the promoted change, and its rollback is a redeploy', async () => {
    const release = {
      strategy: 'instance-canary',
      steps: [
        { percent: 10, holdSeconds: 0.5 },
        { percent: 100, holdSeconds: 10 },
      ],
    }
    const { outcome, events, at } = await watchFirstDrill(work, release)
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('prevented')

    expect(eventsOf(events, 'release.step').map((e) => [e.data.percent, e.data.slots])).toEqual([
      [10, [2]],
      [100, [0, 1]],
    ])
    expect(eventsOf(events, 'canary.routed').map((e) => [e.data.percent, e.data.by])).toEqual([
      [10, 'release-train'],
      [0, 'release-train'],
    ])
    // The canary step is not watched; the promotion is, against the steady state before the release.
    const promoted = eventsOf(events, 'release.step')[1]!
    const started = eventsOf(events, 'deploy.watch.started')
    expect(started.map((e) => e.data.strategy)).toEqual(['instance-canary'])
    expect(at(started[0]!)).toBeGreaterThanOrEqual(at(promoted))
    const breached = eventsOf(events, 'deploy.watch.breached')[0]!
    expect(breached.data.breaches).toContain('error-ratio')
    const page = eventsOf(events, 'page.sent')[0]
    if (page !== undefined) expect(at(page)).toBeGreaterThan(at(breached))
    // Every instance ran the change: the way back is a health-checked redeploy of every instance, the retired
    // canary's too.
    const requested = eventsOf(events, 'rollback.requested')
    expect(requested.map((e) => e.data.by)).toEqual(['post-deploy-watch'])
    const redeployed = eventsOf(events, 'deploy.step').filter(
      (e) =>
        e.data.environment === 'production' &&
        e.data.step === 'instance.updated' &&
        at(e) >= at(requested[0]!),
    )
    expect(redeployed.map((e) => [e.data.slot, e.data.contentHash])).toEqual([
      [0, requested[0]!.data.to],
      [1, requested[0]!.data.to],
      [2, requested[0]!.data.to],
    ])
    expect(eventsOf(events, 'deploy.watch.rolled-back')[0]?.data.to).toBe(requested[0]!.data.to)
  }, 180_000)
})
