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

const work = await mkdtemp(join(tmpdir(), 'firedrill-provider-'))
afterAll(() => rm(work, { recursive: true, force: true }))

const SWITCH = 'payments.defer-charges'
const DECOY = 'checkout.gift-messages'

async function drill(extra: Partial<Parameters<typeof runDrill>[0]> = {}) {
  // The provider healthy for a second (the decoy lands in it), then slow for long enough to page, or, once the
  // shop degrades by itself, to show that nothing pages. The scenario's own time scale: late orders settle in
  // batches (one per charge the workers have in flight), too sparse for the quick scale's shortest windows.
  const release = {
    steps: [
      { percent: 0, holdSeconds: 1 },
      { percent: 100, holdSeconds: 25 },
    ],
  }
  const overrides = { release, timeScale: 0.00416667, traffic: { ratePerSecond: 40 } }
  const loaded = await loadScenario(await quickScenario(overrides, 'provider-degradation'))
  const outDir = await mkdtemp(join(work, 'run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events }
}

describe('the provider-degradation drill', () => {
  it('pages on the fulfilment SLO with nothing of ours changed, the bot turns the degrade switch on first and never the decoy, the postmortem names an external cause, and --again rides the same fault out unpaged', async () => {
    const { outcome, events } = await drill()
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // No change of ours: nothing committed, built or deployed; the provider's fault is the release.
    expect(eventsOf(events, 'drill.started')[0]?.data).toMatchObject({ strategy: 'provider-fault' })
    expect(eventsOf(events, 'change.committed')).toEqual([])
    expect(eventsOf(events, 'change.deployed')).toEqual([])
    const steps = eventsOf(events, 'release.step')
    expect(steps.map((s) => s.data.provider)).toEqual([undefined, 'answers every request about 1000 ms late'])
    const decoy = eventsOf(events, 'decoy.applied')[0]!
    expect(decoy.data).toMatchObject({ flag: DECOY, to: 'on', actor: 'storefront-team' })
    expect(Date.parse(decoy.at)).toBeLessThan(Date.parse(steps[1]!.at))

    // The fulfilment SLO paged while checkout answered every order.
    expect(eventsOf(events, 'alert.fired')[0]?.data.slo).toBe('orders-paid')
    expect(eventsOf(events, 'traffic.stopped')[0]?.data.failures).toBe(0)

    // The bot read the provider's status page, set the decoy aside and journalled that before it acted.
    const diagnosed = eventsOf(events, 'responder.diagnosed')
    expect(diagnosed).toHaveLength(1)
    expect(diagnosed[0]?.data.evidence.provider?.status).toBe('degraded')
    expect(diagnosed[0]?.data.evidence.flagChanges.map((c) => c.flag)).toContain(DECOY)
    expect(diagnosed[0]?.data.setAside.map((s) => s.flag)).toEqual([DECOY])
    expect(diagnosed[0]?.data.hypothesis).toMatch(/the cause is external/)
    expect(diagnosed[0]?.data.action).toEqual({ kind: 'degrade', flag: SWITCH })

    // Its first and only mitigation: the degrade switch on; the decoy and the provider left alone; no rollback.
    const mitigation = eventsOf(events, 'mitigation.applied')
    expect(mitigation).toHaveLength(1)
    expect(mitigation[0]?.data).toMatchObject({
      action: 'degrade switch on',
      flag: SWITCH,
      by: 'responder-bot',
    })
    expect(diagnosed[0]!.seq).toBeLessThan(mitigation[0]!.seq)
    expect(eventsOf(events, 'flag.changed').map((e) => [e.data.key, e.data.actor])).toEqual([
      [SWITCH, 'responder-bot'],
    ])
    expect(eventsOf(events, 'rollback.requested')).toEqual([])
    expect(eventsOf(events, 'recovery.confirmed')).toHaveLength(1)

    // The loop closed through the gate; there is no change of ours to replay.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')).toEqual([])
    expect(eventsOf(events, 'verify.finished')[0]?.data.loop).toEqual({
      holds: true,
      blockedBy: [],
      replay: 'not-applicable',
    })
    expect(outcome.loopClosed).toBe(true)

    // The postmortem tells the provider's story: an external cause, the degrade switch, the decoy set aside.
    const { summary } = await reportRun(outcome.outDir)
    expect(summary.degradeSwitch).toBe(SWITCH)
    const pm = JSON.parse(await readFile(summary.postmortem.json, 'utf8')) as {
      scenario: { cause: string }
      actionItems: { id: string; type: string; status: string }[]
    }
    expect(pm.scenario.cause).toBe('external')
    expect(pm.actionItems.filter((i) => i.type === 'prevent')).toEqual([
      expect.objectContaining({ id: 'AI-1', status: 'done' }),
    ])
    expect(pm.actionItems.map((i) => i.type)).toContain('detect')
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('cause external (a dependency failed; no change of ours)')
    expect(markdown).toMatch(
      /The cause was external: the payment provider answers every request about 1000 ms late/,
    )
    expect(markdown).toMatch(
      /turned the degrade switch payments\.defer-charges on, and from \S+ UTC the workers deferred/,
    )
    expect(markdown).toMatch(/having set aside checkout\.gift-messages \(turned on by storefront-team\)/)
    expect(markdown).not.toContain('undefined')
    expect(markdown).not.toMatch(
      /carries a defect|rolled production back|The flag was turned off|rolling deploy/,
    )

    // --again: the same provider fault on the trunk the fix left. The shop degrades by itself: nobody is paged.
    const again = await drill({ again: outcome.outDir, followUp: false })
    expect(again.outcome.abortReason).toBeUndefined()
    expect(again.outcome.status).toBe('prevented')
    expect(eventsOf(again.events, 'release.step').at(-1)?.data.provider).toBe(
      'answers every request about 1000 ms late',
    )
    expect(eventsOf(again.events, 'alert.fired').filter((a) => a.data.severity === 'page')).toEqual([])
    expect(eventsOf(again.events, 'page.sent')).toEqual([])
    expect(eventsOf(again.events, 'responder.diagnosed')).toEqual([])
    expect(eventsOf(again.events, 'mitigation.applied')).toEqual([])
    expect(eventsOf(again.events, 'steady-state.checked').at(-1)?.data).toMatchObject({
      when: 'after',
      ok: true,
    })
    const repeat = await reportRun(again.outcome.outDir)
    expect(await readFile(repeat.summary.postmortem.markdown, 'utf8')).toMatch(
      /nobody was paged: the fulfilment workers no longer wait on a provider that slows or fails/,
    )
  }, 300_000)
})
