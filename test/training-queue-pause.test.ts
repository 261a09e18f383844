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

const FLAG = 'payments.instant-retry'

let browser: Browser
let training: Training

beforeAll(async () => {
  training = await startTraining({
    // The retry-storm drill at its own rate, as its own test runs it.
    loaded: await loadScenario(
      await quickScenario({ traffic: { ratePerSecond: 20 }, timeScale: 1 / 400 }, 'retry-storm'),
    ),
    redisUrl: testRedisUrl(),
    trainee: 'ana',
    followUp: false,
    outDir: await mkdtemp(join(tmpdir(), 'firedrill-train-queue-')),
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

describe("the console's Pause the fulfilment queue button", () => {
  it('pauses the queue with a reason, credited to the trainee, shows it paused, and resumes it', async () => {
    const facilitator = await browser.newPage()
    await facilitator.goto(training.facilitatorUrl)
    await facilitator.getByRole('button', { name: 'Approve plan' }).click({ timeout: 20_000 })

    const trainee = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await trainee.goto(training.traineeUrl)
    const notice = trainee.getByRole('alert')
    await trainee.getByRole('button', { name: 'Pause the fulfilment queue' }).click({ timeout: 90_000 })
    await trainee
      .getByRole('textbox', { name: 'Reason', exact: true })
      .fill('orders fail as the workers take them')
    await trainee.getByRole('button', { name: 'Confirm' }).click()
    await expect
      .poll(() => notice.textContent(), { timeout: 30_000 })
      .toBe('Fulfilment queue paused: its workers take no new order.')
    await expect
      .poll(() => trainee.getByText(/Fulfilment queue PAUSED by ana/).count(), { timeout: 10_000 })
      .toBe(1)

    // The pause counts once the workers hold no job: on a busy machine a charge can still be in a worker's hands.
    // The trainee moves on once the drill has seen it.
    await expect
      .poll(() => training.session.events.some((e) => e.type === 'mitigation.applied'), { timeout: 30_000 })
      .toBe(true)

    // The way forward, then the orders let go.
    await trainee.getByRole('button', { name: `Turn off ${FLAG}` }).click()
    await trainee
      .getByRole('textbox', { name: 'Reason', exact: true })
      .fill('retries at once keep it saturated')
    await trainee.getByRole('button', { name: 'Confirm' }).click()
    await trainee.getByRole('button', { name: 'Resume the fulfilment queue' }).click({ timeout: 10_000 })
    await trainee.getByRole('textbox', { name: 'Reason', exact: true }).fill('retries off: let the orders go')
    await trainee.getByRole('button', { name: 'Confirm' }).click()
    await expect
      .poll(() => notice.textContent(), { timeout: 30_000 })
      .toBe('Fulfilment queue resumed: its workers take the held orders.')

    const outcome = await training.outcome
    expect(outcome.status).toBe('recovered')
    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'queue.paused').map((e) => [e.data.by, e.data.reason])).toEqual([
      ['ana', 'orders fail as the workers take them'],
    ])
    expect(eventsOf(events, 'mitigation.applied').map((e) => e.data)).toEqual([
      expect.objectContaining({ action: 'queue paused', queue: 'fulfilment', by: 'ana' }),
    ])
    expect(eventsOf(events, 'queue.resumed').map((e) => [e.data.by, e.data.reason])).toEqual([
      ['ana', 'retries off: let the orders go'],
    ])
  }, 240_000)
})
