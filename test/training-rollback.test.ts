import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { startTraining, type Training } from '../training/run-training.ts'
import { launchChromium } from './support/chromium.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

/**
 * unflagged-change, quick: a rolling release of one api instance of two, then both, with a steady state that
 * asks for a few requests (a browser beside the drill on a busy 2-core machine can starve the traffic). Unwatched,
 * so the trainee's button is the way back even if the page comes after the last batch.
 */
const QUICK_ROLLING = {
  release: {
    steps: [
      { percent: 50, holdSeconds: 1 },
      { percent: 100, holdSeconds: 8 },
    ],
    watch: { enabled: false },
  },
  steadyState: { durationSeconds: 2, minRequests: 20 },
}

let browser: Browser
let training: Training

beforeAll(async () => {
  training = await startTraining({
    loaded: await loadScenario(await quickScenario(QUICK_ROLLING, 'unflagged-change')),
    redisUrl: testRedisUrl(),
    trainee: 'ana',
    followUp: false,
    outDir: await mkdtemp(join(tmpdir(), 'firedrill-train-rollback-')),
  })
  browser = await launchChromium()
})

// A drill still running when a test failed is aborted here, and its cleanup takes a while.
afterAll(async () => {
  await browser?.close()
  training?.session.abortController.abort('test over')
  await training?.outcome.catch(() => {})
  await training?.close()
}, 60_000)

describe("the console's Roll back production button", () => {
  it('rolls production back from a rolling release, credited to the trainee, and says where production went', async () => {
    const facilitator = await browser.newPage()
    await facilitator.goto(training.facilitatorUrl)
    await facilitator.getByRole('button', { name: 'Approve plan' }).click({ timeout: 20_000 })

    const trainee = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await trainee.goto(training.traineeUrl)
    await trainee.getByRole('button', { name: 'Roll back production' }).click({ timeout: 60_000 })
    await trainee.getByRole('textbox', { name: 'Reason', exact: true }).fill('errors began with the deploy')
    await trainee.getByRole('button', { name: 'Confirm' }).click()
    const notice = trainee.getByRole('alert')
    await expect
      .poll(() => notice.textContent(), { timeout: 30_000 })
      .toMatch(/^Production rolled back from [0-9a-f]{16} to [0-9a-f]{16}\.$/)

    const outcome = await training.outcome
    expect(outcome.status).toBe('recovered')
    const { events } = await readJournal(outcome.journal)
    const requested = eventsOf(events, 'rollback.requested')
    expect(requested.map((e) => [e.data.by, e.data.reason])).toEqual([
      ['ana', 'errors began with the deploy'],
    ])
    expect(eventsOf(events, 'mitigation.applied').map((e) => e.data)).toEqual([
      expect.objectContaining({ action: 'rollback', by: 'ana', to: requested[0]!.data.to }),
    ])
    // What the page said is what the journal has: from the change's artifact back to the one before it.
    expect(await notice.textContent()).toBe(
      `Production rolled back from ${requested[0]!.data.from.slice(0, 16)} to ${requested[0]!.data.to.slice(0, 16)}.`,
    )
  }, 120_000)
})
