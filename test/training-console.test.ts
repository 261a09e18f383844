import { mkdtemp, readFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import type { DrillOutcome } from '../simulator/drill/drill-options.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import type { TraineeView } from '../training/console/trainee-view.ts'
import { startTraining, type Training } from '../training/run-training.ts'
import { launchChromium } from './support/chromium.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const RIGHT = 'checkout.new-pricing'
const DECOY = 'checkout.gift-messages'

/**
 * The quick scenario, with a steady state that asks for fewer requests and time half as compressed: a browser
 * beside the drill on a busy 2-core machine can starve the traffic generator and slow the trainee's clicks, and
 * these tests are about the console, not about the steady state or the error budget.
 */
const BUSY_MACHINE = { timeScale: 1 / 480, steadyState: { durationSeconds: 2, minRequests: 20 } }

let loaded: LoadedScenario
let training: Training
let browser: Browser
let trainee: Page
let facilitator: Page
let outcome: DrillOutcome
/** Everything the trainee's browser and the trainee's event stream received. */
const seenByTrainee: string[] = []
let stream: AbortController

async function readStream(url: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      seenByTrainee.push(decoder.decode(value, { stream: true }))
    }
  } catch {
    // aborted at the end of the test
  }
}

const api = (path: string, token: string, body?: unknown) =>
  fetch(`${training.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

beforeAll(async () => {
  loaded = await loadScenario(await quickScenario(BUSY_MACHINE))
  training = await startTraining({
    loaded,
    redisUrl: testRedisUrl(),
    trainee: 'ana',
    followUp: false,
    outDir: await mkdtemp(join(tmpdir(), 'firedrill-train-')),
  })
  browser = await launchChromium()
  stream = new AbortController()
  void readStream(
    `${training.url}/api/trainee/events?token=${training.session.tokens.trainee}`,
    stream.signal,
  )
})

// A drill still running when a test failed is aborted here, and its cleanup takes a while.
afterAll(async () => {
  stream?.abort()
  await browser?.close()
  training?.session.abortController.abort('test over')
  await training?.outcome.catch(() => {})
  await training?.close()
}, 60_000)

describe('the training console, in a real browser', () => {
  it('lets a trainee answer the page: acknowledge, a decoy flipped, an update, the right flag off; all journalled and scored', async () => {
    facilitator = await browser.newPage()
    await facilitator.goto(training.facilitatorUrl)
    // The review gate: nothing changes before the facilitator approves the plan and the preflight.
    await facilitator.getByRole('button', { name: 'Approve plan' }).click({ timeout: 20_000 })

    trainee = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    trainee.on('response', async (response) => {
      const type = response.headers()['content-type'] ?? ''
      if (/html|json/.test(type)) seenByTrainee.push(await response.text().catch(() => ''))
    })
    await trainee.goto(training.traineeUrl)
    await expect
      .poll(() => trainee.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/on call|PAGED/)

    const acknowledge = trainee.getByRole('button', { name: 'Acknowledge' })
    await acknowledge.click({ timeout: 60_000 })
    await trainee.getByText('Acknowledged by ana').waitFor()
    // Every second of the incident burns budget: what can be checked afterwards is checked after the flag is off.
    await facilitator
      .getByRole('textbox', { name: 'Hint', exact: true })
      .fill('What changed just before the burn began?')
    await facilitator.getByRole('button', { name: 'Send hint' }).click()
    await trainee
      .getByRole('textbox', { name: 'Status update' })
      .fill('Checkout errors since a few minutes ago; looking at changes')
    await trainee.getByRole('button', { name: 'Post update' }).click()

    // The decoy: another team's flag, changed after the page. Turning it off is collateral.
    await trainee.getByRole('button', { name: `Turn off ${DECOY}` }).click()
    await trainee.getByRole('textbox', { name: 'Reason', exact: true }).fill('recent change, ruling it out')
    await trainee.getByRole('button', { name: 'Confirm' }).click()
    await trainee.getByText(`${DECOY} turned off.`).waitFor()

    // An unknown flag is refused with a clear 404 naming the flags there are, and changes nothing.
    const token = training.session.tokens.trainee
    const unknown = await api('/api/trainee/flags/checkout.no-such-flag', token, { turn: 'off', reason: 'x' })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({
      code: 'FIREDRILL_CONSOLE_UNKNOWN_FLAG',
      message: expect.stringContaining(RIGHT),
    })

    await trainee.getByRole('button', { name: `Turn off ${RIGHT}` }).click()
    await trainee.getByRole('textbox', { name: 'Reason', exact: true }).fill('errors began with its rollout')
    await trainee.getByRole('button', { name: 'Confirm' }).click()

    // The hint and the update reached the trainee's channel; the runbook the page links to is a real page.
    await trainee.getByText('What changed just before the burn began?').waitFor()
    await trainee.getByText('Checkout errors since a few minutes ago').waitFor()
    const runbook = await trainee.getByRole('link', { name: 'Open the runbook' }).getAttribute('href')
    const runbookPage = await fetch(`${training.url}${runbook}`)
    expect(runbookPage.status).toBe(200)
    const runbookHtml = await runbookPage.text()
    seenByTrainee.push(runbookHtml)
    expect(runbookHtml).toContain('First checks')
    // Bad bodies are refused with a 400 naming the field and what it must be.
    const sideways = await api(`/api/trainee/flags/${RIGHT}`, token, { turn: 'sideways', reason: 'x' })
    expect(sideways.status).toBe(400)
    expect(((await sideways.json()) as { message: string }).message).toBe('turn must be "on" or "off".')
    const noReason = await api(`/api/trainee/flags/${RIGHT}`, token, { turn: 'off' })
    expect(noReason.status).toBe(400)
    expect(((await noReason.json()) as { message: string }).message).toMatch(/^reason must be/)

    outcome = await training.outcome
    expect(outcome.status).toBe('recovered')
    await expect.poll(() => trainee.getByRole('status').textContent(), { timeout: 10_000 }).toBe('drill over')

    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'drill.started')[0]?.data.responder).toBe('human')
    expect(eventsOf(events, 'plan.reviewed')[0]?.data).toEqual({ by: 'facilitator', approved: true })
    expect(eventsOf(events, 'page.acknowledged')[0]?.data.by).toBe('ana')
    expect(
      eventsOf(events, 'responder.flag-set').map((e) => [e.data.by, e.data.flag, e.data.turned]),
    ).toEqual([
      ['ana', DECOY, 'off'],
      ['ana', RIGHT, 'off'],
    ])
    expect(eventsOf(events, 'status.posted')[0]?.data.by).toBe('ana')
    expect(eventsOf(events, 'hint.given')).toHaveLength(1)
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({
      flag: RIGHT,
      by: 'ana',
      reason: 'errors began with its rollout',
    })
    // The first flag action was the decoy; the plan was approved before the release touched anything.
    const reviewed = eventsOf(events, 'plan.reviewed')[0]!.seq
    expect(eventsOf(events, 'release.step')[0]!.seq).toBeGreaterThan(reviewed)

    const { postmortem } = await reportRun(outcome.outDir)
    const score = postmortem.training!
    const points = Object.fromEntries(score.items.map((i) => [i.criterion, i.points]))
    expect(points['right-first-time']).toBe(0)
    expect(points.collateral).toBe(10)
    expect(points.acknowledge).toBe(15)
    expect(score.hints).toEqual({ count: 1, cost: 5 })
    expect(score.points).toBeLessThan(80)
    const markdown = await readFile(join(outcome.outDir, 'postmortem.md'), 'utf8')
    expect(markdown).toContain('## Training score')
    expect(markdown).toContain(`turned ${DECOY} off: "recent change, ruling it out"`)
    expect(markdown).toContain('Status update from ana: Checkout errors since a few minutes ago')
    // The facilitator's page showed the live score as the journal has it.
    await facilitator.getByText(`${score.points}`, { exact: true }).waitFor({ timeout: 10_000 })
  }, 150_000)

  it("shows the provider's status page, the shop's logs (filterable) and the queue's depth", async () => {
    expect(outcome).toBeDefined()
    const state = (await (
      await api('/api/trainee/state', training.session.tokens.trainee)
    ).json()) as TraineeView
    expect(state.provider).toMatchObject({ status: 'operational', summary: 'All systems operational.' })
    await trainee.getByText('All systems operational.').waitFor()
    expect(state.dashboards.queueDepth.length).toBeGreaterThan(0)
    expect(state.dashboards.queueDepth.length).toBe(state.dashboards.queueT.length)
    await trainee.getByText('Fulfilment queue depth (jobs)').waitFor()
    // The api's request lines and the worker's are there, each naming where it came from.
    expect(
      state.logs.some((l) => l.source.startsWith('api production-') && /status=201/.test(l.fields)),
    ).toBe(true)
    expect(state.logs.some((l) => l.source.startsWith('worker'))).toBe(true)

    const lines = trainee.getByRole('list', { name: 'Log lines' }).getByRole('listitem')
    await trainee.getByRole('searchbox', { name: 'Filter logs' }).fill('worker')
    await expect.poll(async () => (await lines.allTextContents()).length).toBeGreaterThan(0)
    for (const line of await lines.allTextContents()) expect(line.toLowerCase()).toContain('worker')
    await trainee.getByRole('searchbox', { name: 'Filter logs' }).fill('')
    await trainee.getByRole('combobox', { name: 'Level' }).selectOption('warn')
    for (const line of await lines.allTextContents()) expect(line).toMatch(/WARN|ERROR|FATAL|No line matches/)
  })

  it('shows the trainee nothing of the ground truth: not in the page, its JSON, its events or the runbook', async () => {
    expect(outcome).toBeDefined()
    seenByTrainee.push(await trainee.content())
    seenByTrainee.push(await (await api('/api/trainee/state', training.session.tokens.trainee)).text())
    const seen = seenByTrainee.join('\n')
    // It did see the drill: the page, both flags, the status update, the provider's status and the shop's logs.
    expect(seen).toContain('burning its error budget')
    expect(seen).toContain(RIGHT)
    expect(seen).toContain(DECOY)
    expect(seen).toContain('All systems operational.')
    expect(seen).toContain('request completed')
    const s = loaded.scenario
    const secrets = [
      s.title,
      s.description?.slice(0, 40),
      s.change.title,
      s.change.description?.slice(0, 40),
      s.change.fault.kind,
      'Drills plant their bad change',
      'expectedMitigation',
      'Expected mitigation',
      'decoy',
      'ground truth',
      training.session.tokens.facilitator,
    ].filter((x): x is string => x !== undefined && x !== '')
    for (const secret of secrets) expect(seen.toLowerCase(), secret).not.toContain(secret.toLowerCase())
  })

  it('keeps each token to its own routes, refuses the wrong or a missing one, and listens on loopback only', async () => {
    const { trainee: traineeToken, facilitator: facilitatorToken } = training.session.tokens
    const traineeRoutes = ['/trainee', '/api/trainee/state', '/api/trainee/events']
    const facilitatorRoutes = ['/facilitator', '/api/facilitator/state', '/api/facilitator/events']
    const shared = ['/assets/console.js', '/assets/uPlot.iife.min.js', '/runbooks/orders-availability']
    const status = async (path: string, token?: string, body?: unknown) => {
      const controller = new AbortController()
      const response = await fetch(`${training.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: controller.signal,
      })
      controller.abort()
      return response.status
    }
    for (const path of [...traineeRoutes, ...facilitatorRoutes, ...shared]) {
      expect(await status(path), path).toBe(401)
      expect(await status(path, 'not-the-token'), path).toBe(401)
    }
    for (const path of traineeRoutes) {
      expect(await status(path, traineeToken), path).toBe(200)
      expect(await status(path, facilitatorToken), path).toBe(403)
    }
    for (const path of facilitatorRoutes) {
      expect(await status(path, facilitatorToken), path).toBe(200)
      expect(await status(path, traineeToken), path).toBe(403)
    }
    for (const path of shared) expect(await status(path, traineeToken), path).toBe(200)
    // The trainee cannot approve, hint or abort; the facilitator cannot act in the trainee's name.
    expect(await status('/api/facilitator/abort', traineeToken, {})).toBe(403)
    expect(await status('/api/facilitator/hint', traineeToken, { text: 'x' })).toBe(403)
    expect(await status('/api/trainee/status', facilitatorToken, { text: 'x' })).toBe(403)
    // A token in the query works for pages (the printed URLs carry it), and never leaves in a Referer.
    const page = await fetch(training.traineeUrl)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')

    expect(new URL(training.url).hostname).toBe('127.0.0.1')
    const port = new URL(training.url).port
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    // A raw TCP connection (no HTTP client in between) to the same port on another interface is refused.
    if (outside !== undefined) {
      const refused = await new Promise<string>((resolve) => {
        const socket = createConnection({ host: outside.address, port: Number(port) })
        socket.once('connect', () => {
          socket.destroy()
          resolve('connected')
        })
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
      })
      expect(refused).toBe('ECONNREFUSED')
    }
  })
})
