import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { startTrainingGroup, type TrainingGroup } from '../training/run-training-group.ts'
import { launchChromium } from './support/chromium.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { keysMatching, redisSandbox, testRedisUrl } from './support/redis-sandbox.ts'

/**
 * A longer steady state that asks for fewer requests: two drills and a browser share a busy 2-core machine, and
 * a starved traffic generator once sent none in 2 s. This test is about the group, not the steady state.
 */
const BUSY_MACHINE = { steadyState: { durationSeconds: 4, minRequests: 10 } }

let browser: Browser
let group: TrainingGroup

beforeAll(async () => {
  group = await startTrainingGroup({
    loaded: await loadScenario(await quickScenario(BUSY_MACHINE)),
    redisUrl: testRedisUrl(),
    trainees: ['ana', 'bo'],
    followUp: false,
    outDir: await mkdtemp(join(tmpdir(), 'firedrill-train-group-')),
  })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  for (const { training } of group?.trainings ?? []) training.session.abortController.abort('test over')
  await group?.outcomes.catch(() => {})
  await group?.close()
}, 60_000)

describe('several trainees at once', () => {
  it('runs one isolated drill per trainee on one Redis, same scenario and seed, approved and aborted from one page', async () => {
    const [ana, bo] = group.trainings.map(({ training }) => training)
    expect(new URL(ana!.url).port).not.toBe(new URL(bo!.url).port)
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(group.facilitatorUrl)
    await page.getByRole('link', { name: 'Facilitator page of ana' }).waitFor()
    await page.getByRole('link', { name: 'Console of bo' }).waitFor()
    // Both preflights done: one click approves both plans.
    await expect.poll(() => page.getByText('waiting for approval').count(), { timeout: 30_000 }).toBe(2)
    await page.getByRole('button', { name: 'Approve every plan' }).click()
    await page.getByText('Approved: ana, bo. Their drills start.').waitFor()

    const sessions = group.trainings.map(({ training }) => training.session)
    const released = () =>
      sessions.every((s) => s.events.some((e) => e.type === 'release.step' || e.type === 'drill.aborted'))
    await expect.poll(released, { timeout: 150_000, interval: 250 }).toBe(true)
    for (const s of sessions)
      expect(
        s.events.find((e) => e.type === 'drill.aborted')?.data,
        'a drill aborted on its own',
      ).toBeUndefined()

    await page.getByRole('textbox', { name: 'Reason for aborting' }).fill('end of the session')
    await page.getByRole('button', { name: 'Abort every drill' }).click()
    const outcomes = await group.outcomes
    expect(outcomes.map((o) => o.status)).toEqual(['aborted', 'aborted'])

    const journals = await Promise.all(outcomes.map(async (o) => (await readJournal(o.journal)).events))
    const started = journals.map((events) => eventsOf(events, 'drill.started')[0]!.data)
    expect(started[0]!.runId).not.toBe(started[1]!.runId)
    expect(started[0]!.seed).toBe(started[1]!.seed)
    expect(started.map((s) => s.scenario)).toEqual([started[0]!.scenario, started[0]!.scenario])
    for (const events of journals) {
      expect(eventsOf(events, 'plan.reviewed')[0]?.data).toEqual({ by: 'facilitator', approved: true })
      expect(eventsOf(events, 'drill.aborted')[0]?.data.reason).toBe(
        'aborted by facilitator from the facilitator page: end of the session',
      )
    }
    // Each drill's shop stood on its own prefix, and each took every key of it away.
    const sandbox = redisSandbox()
    try {
      for (const s of started) expect(await keysMatching(sandbox.redis, `drill-${s.runId}*`)).toEqual([])
    } finally {
      await sandbox.close()
    }
  }, 240_000)
})
