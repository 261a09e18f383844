/**
 * Takes the README's screenshots of the training console: runs a real training drill (bad-pricing) against a
 * Redis, plays the facilitator and a trainee in headless Chromium, and saves the trainee's console mid-incident
 * and the facilitator's page once the drill is over, in docs/. Then a group session of three trainees
 * (`firedrill train --trainees 3`): every plan approved from the group page, which is saved once all three are
 * paged.
 *
 *   node --import tsx docs/take-screenshots.ts [REDIS_URL]
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { startTraining } from '../training/run-training.ts'
import { startTrainingGroup } from '../training/run-training-group.ts'

const DOCS = import.meta.dirname
const redisUrl = process.argv[2] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const training = await startTraining({
  loaded: await loadScenario('bad-pricing'),
  redisUrl,
  trainee: 'ana',
  followUp: false,
  outDir: await mkdtemp(join(tmpdir(), 'firedrill-screenshots-')),
  progress: (line) => process.stderr.write(`${line}\n`),
})
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
})
try {
  const viewport = { width: 1440, height: 1000 }
  const facilitator = await browser.newPage({ viewport })
  await facilitator.goto(training.facilitatorUrl)
  await facilitator.getByRole('button', { name: 'Approve plan' }).click({ timeout: 30_000 })
  const trainee = await browser.newPage({ viewport })
  await trainee.goto(training.traineeUrl)
  await trainee.getByRole('button', { name: 'Acknowledge' }).click({ timeout: 180_000 })
  await trainee
    .getByRole('textbox', { name: 'Status update' })
    .fill('Checkout is failing for some orders; looking at recent changes.')
  await trainee.getByRole('button', { name: 'Post update' }).click()
  await facilitator
    .getByRole('textbox', { name: 'Hint', exact: true })
    .fill('Which change came just before the burn began?')
  await facilitator.getByRole('button', { name: 'Send hint' }).click()
  await trainee.getByText('Which change came just before').waitFor()
  await trainee.waitForTimeout(3000)
  await trainee.screenshot({ path: join(DOCS, 'training-console.png'), fullPage: true })
  await trainee.getByRole('button', { name: 'Turn off checkout.new-pricing' }).click()
  await trainee.getByRole('textbox', { name: 'Reason', exact: true }).fill('errors began with its rollout')
  await trainee.getByRole('button', { name: 'Confirm' }).click()
  await trainee
    .getByRole('textbox', { name: 'Status update' })
    .fill('Turned checkout.new-pricing off; watching the error ratio.')
  await trainee.getByRole('button', { name: 'Post update' }).click()
  const outcome = await training.outcome
  await facilitator.getByRole('status').getByText('drill over').waitFor({ timeout: 10_000 })
  await facilitator.screenshot({ path: join(DOCS, 'training-facilitator.png'), fullPage: true })
  process.stderr.write(`drill ${outcome.status}; screenshots in ${DOCS}\n`)
} finally {
  await browser.close()
  training.session.abortController.abort('screenshots taken')
  await training.outcome.catch(() => {})
  await training.close()
}

const group = await startTrainingGroup({
  loaded: await loadScenario('bad-pricing'),
  redisUrl,
  trainees: ['bo', 'cy', 'di'],
  followUp: false,
  outDir: await mkdtemp(join(tmpdir(), 'firedrill-screenshots-group-')),
  progress: (trainee, line) => process.stderr.write(`${trainee}: ${line}\n`),
})
const groupBrowser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
})
try {
  const page = await groupBrowser.newPage({ viewport: { width: 1440, height: 700 } })
  await page.goto(group.facilitatorUrl)
  await page.getByRole('button', { name: 'Approve every plan' }).click({ timeout: 60_000 })
  const deadline = Date.now() + 240_000
  while ((await page.getByText('PAGED').count()) < 3 && Date.now() < deadline) await page.waitForTimeout(500)
  await page.waitForTimeout(1000)
  await page.screenshot({ path: join(DOCS, 'training-group.png'), fullPage: true })
  process.stderr.write(`group page saved in ${DOCS}\n`)
} finally {
  await groupBrowser.close()
  for (const { training } of group.trainings) training.session.abortController.abort('screenshots taken')
  await group.outcomes.catch(() => {})
  await group.close()
}
