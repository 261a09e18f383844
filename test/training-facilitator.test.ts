import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import {
  closeConnection,
  createRedisConnection,
  waitForReady,
} from '../services/platform/redis/redis-connection.ts'
import { startTraining, type Training } from '../training/run-training.ts'
import { launchChromium } from './support/chromium.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

/**
 * The quick scenario, with a steady state that asks for fewer requests: a browser beside the drill on a busy
 * 2-core machine can starve the traffic generator, and these tests are about the console, not the steady state.
 */
const BUSY_MACHINE = { steadyState: { durationSeconds: 2, minRequests: 20 } }

let browser: Browser
const started: Training[] = []

async function train(): Promise<Training> {
  const training = await startTraining({
    loaded: await loadScenario(await quickScenario(BUSY_MACHINE)),
    redisUrl: testRedisUrl(),
    trainee: 'ana',
    followUp: false,
    outDir: await mkdtemp(join(tmpdir(), 'firedrill-facilitator-')),
  })
  started.push(training)
  return training
}

beforeAll(async () => {
  browser = await launchChromium()
})

// A drill still running when a test failed is aborted here, and its cleanup takes a while.
afterAll(async () => {
  await browser?.close()
  for (const training of started) {
    training.session.abortController.abort('test over')
    await training.outcome.catch(() => {})
    await training.close()
  }
}, 60_000)

describe("the facilitator's page", () => {
  it('refuses the plan only with a reason, journals the refusal, and nothing is changed', async () => {
    const training = await train()
    const page = await browser.newPage()
    await page.goto(training.facilitatorUrl)
    await page.getByText('ok redis reachable', { exact: true }).waitFor({ timeout: 20_000 })
    await page.getByRole('button', { name: 'Refuse plan' }).click()
    await page.getByText('reason is required to refuse the plan').waitFor()
    await page.getByRole('textbox', { name: 'Reason for refusing' }).fill('the trainee is not here yet')
    await page.getByRole('button', { name: 'Refuse plan' }).click()

    const outcome = await training.outcome
    expect(outcome.status).toBe('aborted')
    expect(outcome.abortReason).toBe('plan refused by facilitator: the trainee is not here yet')
    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'plan.reviewed').map((e) => e.data)).toEqual([
      { by: 'facilitator', approved: false, reason: 'the trainee is not here yet' },
    ])
    expect(eventsOf(events, 'phase.entered').map((e) => e.data.phase)).toEqual(['preflight'])
    expect(eventsOf(events, 'lease.acquired')).toEqual([])
  }, 60_000)

  it('pauses the release where it is while traffic goes on, resumes it, and journals both with who paused', async () => {
    const training = await train()
    const page = await browser.newPage()
    await page.goto(training.facilitatorUrl)
    await page.getByRole('button', { name: 'Approve plan' }).click({ timeout: 20_000 })
    // Paused before the release: the drill deploys and checks its steady state, then holds its first step.
    await page.getByRole('textbox', { name: 'Reason for pausing' }).fill('let us talk about canaries')
    await page.getByRole('button', { name: 'Pause drill' }).click()
    await page.getByText('Paused by facilitator at').waitFor()
    const events = () => training.session.events
    await expect
      .poll(
        () =>
          events().some(
            (e) => (e.type === 'phase.entered' && e.data.phase === 'release') || e.type === 'drill.aborted',
          ),
        { timeout: 90_000, interval: 200 },
      )
      .toBe(true)
    expect(
      events().find((e) => e.type === 'drill.aborted')?.data,
      'the drill aborted on its own',
    ).toBeUndefined()
    // Two seconds of traffic (intervals of 250 ms) after the release began, and not one step of it.
    const released = events().find((e) => e.type === 'phase.entered' && e.data.phase === 'release')!.seq
    const intervalsSince = () =>
      events().filter((e) => e.type === 'traffic.interval' && e.seq > released).length
    await expect.poll(intervalsSince, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(8)
    expect(events().filter((e) => e.type === 'release.step')).toEqual([])
    // The trainee is told the drill is paused; nothing more.
    expect(training.session.traineeView().paused).toBe(true)

    await page.getByRole('button', { name: 'Resume drill' }).click()
    await expect
      .poll(() => events().some((e) => e.type === 'release.step'), { timeout: 20_000, interval: 100 })
      .toBe(true)
    expect(training.session.traineeView().paused).toBe(false)
    training.session.abortController.abort('test over')
    const outcome = await training.outcome

    const journal = (await readJournal(outcome.journal)).events
    const paused = eventsOf(journal, 'drill.paused')
    const resumed = eventsOf(journal, 'drill.resumed')
    expect(paused.map((e) => e.data)).toEqual([{ by: 'facilitator', reason: 'let us talk about canaries' }])
    expect(resumed.map((e) => e.data.by)).toEqual(['facilitator'])
    expect(resumed[0]!.data.pausedMs).toBeGreaterThanOrEqual(2000)
    expect(eventsOf(journal, 'release.step')[0]!.seq).toBeGreaterThan(resumed[0]!.seq)
  }, 120_000)

  it('aborts a running drill and puts everything back as Ctrl-C does, with the reason journalled', async () => {
    const training = await train()
    const page = await browser.newPage()
    await page.goto(training.facilitatorUrl)
    await page.getByRole('button', { name: 'Approve plan' }).click({ timeout: 20_000 })
    // Wait for the release to have turned the change's flag on: there is something to put back. A drill that
    // aborted on its own first (its steady state starved on a busy machine) is said as such, not waited out.
    await expect
      .poll(
        () => training.session.events.some((e) => e.type === 'release.step' || e.type === 'drill.aborted'),
        { timeout: 90_000, interval: 200 },
      )
      .toBe(true)
    const ownAbort = training.session.events.find((e) => e.type === 'drill.aborted')
    expect(ownAbort?.data, 'the drill aborted on its own before the release').toBeUndefined()
    await page.getByRole('textbox', { name: 'Reason for aborting' }).fill('fire alarm in the building')
    await page.getByRole('button', { name: 'Abort drill' }).click()

    const outcome = await training.outcome
    expect(outcome.status).toBe('aborted')
    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'drill.aborted')[0]?.data).toEqual({
      reason: 'aborted by facilitator from the facilitator page: fire alarm in the building',
      condition: 'signal',
    })
    const cleanup = eventsOf(events, 'cleanup.finished')[0]!.data
    expect(cleanup.failed).toEqual([])
    expect(cleanup.done).toContain('put checkout.new-pricing back to off and clear payment faults')
    expect(cleanup.done).toContain('stop the traffic')
    const runId = eventsOf(events, 'drill.started')[0]!.data.runId
    const redis = createRedisConnection(testRedisUrl(), 'command')
    try {
      await waitForReady(redis, 5000)
      const left: string[] = []
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `drill-${runId}*`, 'COUNT', 1000)
        cursor = next
        left.push(...keys)
      } while (cursor !== '0')
      expect(left).toEqual([])
    } finally {
      await closeConnection(redis)
    }
    await page.getByRole('status').getByText('drill over').waitFor({ timeout: 10_000 })
  }, 120_000)
})
