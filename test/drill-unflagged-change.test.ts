import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { botResponder } from '../simulator/drill/responders/bot-responder.ts'
import type { Responder } from '../simulator/drill/responders/responder.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-unflagged-'))
afterAll(() => rm(work, { recursive: true, force: true }))

async function drill(
  extra: Partial<Parameters<typeof runDrill>[0]> = {},
  overrides: {
    steps?: { percent: number; holdSeconds: number }[]
    watch?: Record<string, unknown>
  } = {},
) {
  // Rolling batches are whole api instances: one of two, then both. The post-deploy watch is off unless asked
  // for, so the bot's rollback is what brings production back.
  const release = {
    steps: overrides.steps ?? [
      { percent: 50, holdSeconds: 1 },
      { percent: 100, holdSeconds: 8 },
    ],
    watch: overrides.watch ?? { enabled: false },
  }
  const loaded = await loadScenario(await quickScenario({ release }, 'unflagged-change'))
  const outDir = await mkdtemp(join(work, 'run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events }
}

describe('the unflagged-change drill', () => {
  it("releases by a rolling deploy, the bot reads the deploy history and rolls production back, and the loop closes with the change's code refused by the fix's test", async () => {
    const { outcome, events } = await drill()
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    // No flag anywhere: production ran the build before the change until the first rolling batch.
    expect(eventsOf(events, 'drill.started')[0]?.data).toMatchObject({ strategy: 'rolling' })
    expect(eventsOf(events, 'drill.started')[0]?.data.flag).toBeUndefined()
    expect(eventsOf(events, 'flag.changed')).toEqual([])
    const production = eventsOf(events, 'change.deployed').filter((e) => e.data.environment === 'production')
    expect(production.map((e) => e.data.dark)).toEqual([false])
    const batches = eventsOf(events, 'release.step')
    expect(batches[0]?.data).toMatchObject({ step: 1, percent: 50, slots: [0] })
    expect(batches.every((b) => b.data.flag === undefined && b.data.artifact !== undefined)).toBe(true)

    // The bot diagnosed a live deploy as the cause and rolled back; the drill saw every instance on the old build.
    const diagnosed = eventsOf(events, 'responder.diagnosed')
    expect(diagnosed).toHaveLength(1)
    const base = eventsOf(events, 'rollback.requested')[0]?.data.to
    expect(diagnosed[0]?.data.action).toEqual({ kind: 'rollback', to: base })
    expect(diagnosed[0]?.data.hypothesis).toMatch(/shipped without a flag: it started the burn/)
    const mitigation = eventsOf(events, 'mitigation.applied')
    expect(mitigation).toHaveLength(1)
    expect(mitigation[0]?.data).toMatchObject({ action: 'rollback', to: base, by: 'responder-bot' })
    const requested = eventsOf(events, 'rollback.requested')[0]!
    expect(Date.parse(mitigation[0]!.at)).toBeGreaterThanOrEqual(Date.parse(requested.at))
    expect(
      eventsOf(events, 'deploy.step').some(
        (e) =>
          e.data.environment === 'production' &&
          e.data.contentHash === base &&
          e.data.step === 'deploy.finished',
      ),
    ).toBe(true)

    // The loop closed: the fix merged through the gate, and the change's code put back is stopped by its test.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['unit-tests'],
    })
    expect(outcome.loopClosed).toBe(true)
    expect(outcome.flagClosedOut).toBe(false)

    // The postmortem tells a rollback's story, with no flag in it.
    const { summary } = await reportRun(outcome.outDir)
    expect(summary.flag).toBeNull()
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('no flag (a rolling release)')
    expect(markdown).toContain('shipped without a flag: deploying it released it, in a rolling deploy')
    expect(markdown).toMatch(/rolled production back to the artifact it ran before the change/)
    expect(markdown).toMatch(/The rollback itself took \S+ (ms|s) from the request to the last instance back/)
    expect(markdown).toContain('| Deploy | deployed live (no flag) |')
    expect(markdown).not.toContain('undefined')
    expect(markdown).not.toMatch(/flag `null`|was turned off|turned the flag off/)
  }, 180_000)

  it('pages during the release, and the bot finds production already rolled back by the post-deploy watch: the watch is the mitigation', async () => {
    // One batch of both instances: the first one on the change burns while the second restarts (the page), and the
    // watch starts once both run it. The bot answers the page once the deploy history shows a rollback, as an
    // engineer opening the console after the watch acted would find it.
    const bot = botResponder(0)
    const lateBot: Responder = {
      kind: 'bot',
      name: bot.name,
      async respond(page, context) {
        while (!(await context.deploys.list()).history.some((d) => d.rollbackOf !== undefined))
          await context.clock.sleep(50, context.signal)
        await bot.respond(page, context)
      },
    }
    const { outcome, events } = await drill(
      // About who mitigated: the loop, which the first test closes, is not run again here.
      { respondWith: lateBot, followUp: false },
      { steps: [{ percent: 100, holdSeconds: 8 }], watch: {} },
    )
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    const page = eventsOf(events, 'page.sent')[0]!
    const breached = eventsOf(events, 'deploy.watch.breached')[0]!
    expect(Date.parse(page.at)).toBeLessThan(Date.parse(breached.at))
    // One rollback, the watch's: a redeploy of every instance, which the drill counts as the mitigation.
    expect(eventsOf(events, 'rollback.requested').map((e) => e.data.by)).toEqual(['post-deploy-watch'])
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({
      action: 'rollback',
      by: 'post-deploy-watch',
    })
    expect(eventsOf(events, 'deploy.watch.rolled-back')[0]?.data.backMs).toBeGreaterThan(0)
    const diagnosed = eventsOf(events, 'responder.diagnosed')
    expect(diagnosed).toHaveLength(1)
    expect(diagnosed[0]?.data.action).toMatchObject({ kind: 'already-rolled-back', by: 'post-deploy-watch' })
    // The page is the bot's to acknowledge: the watch answers no page.
    expect(eventsOf(events, 'page.acknowledged')[0]?.data.by).toBe('responder-bot')
  }, 180_000)
})
