import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../record/clock/clock.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import { main } from '../../scripts/cli.ts'
import { LeaseHolder, readLeasedChanges } from '../../services/leases/index.ts'
import { FULFILMENT_QUEUE, keyspace } from '../../services/platform/keys.ts'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { type DeployControls, startDeploysApi } from './deploys-api.ts'
import { SimulatorErrorCode } from './drill-errors.ts'
import { FulfilmentQueueHttpClient } from './fulfilment-queue-api.ts'
import { fulfilmentQueueControls } from './fulfilment-queue-control.ts'

const TOKEN = 'drill-token'
const NO_DEPLOYS: DeployControls = {
  history: () => [],
  slots: () => [],
  rollback: async () => {
    throw new Error('nothing to roll back')
  },
}

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

/** The deploys API with the queue control on a fresh prefix, a lease, and the events it journals. */
async function queueApi() {
  const sandbox = redisSandbox()
  cleanups.push(() => sandbox.close())
  const queue = new Queue(FULFILMENT_QUEUE, {
    connection: sandbox.redis,
    prefix: keyspace(sandbox.prefix).bullPrefix,
  })
  cleanups.push(async () => {
    await queue.obliterate({ force: true })
    await queue.close()
  })
  for (const id of ['o-1', 'o-2', 'o-3']) await queue.add('charge', { orderId: id }, { jobId: id })
  const lease = await LeaseHolder.acquire({
    redis: sandbox.redis,
    prefix: sandbox.prefix,
    holder: randomUUID(),
  })
  cleanups.push(() => lease.end())
  const events: NewJournalEvent[] = []
  const controls = fulfilmentQueueControls({
    redisUrl: sandbox.url,
    prefix: sandbox.prefix,
    lease,
    journal: { append: async (event) => events.push(event) },
    clock: systemClock,
    say: () => {},
  })
  cleanups.push(() => controls.close())
  const api = await startDeploysApi({ controls: NO_DEPLOYS, token: TOKEN, queue: controls })
  cleanups.push(() => api.close())
  return { ...sandbox, queue, controls, events, url: api.url }
}

describe("the drill's fulfilment queue control", () => {
  it('refuses a request without the drill token', async () => {
    const { url } = await queueApi()
    const answer = await fetch(`${url}/queues/fulfilment/pause`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'hold' }),
    })
    expect(answer.status).toBe(401)
  })

  it('pauses under the lease and resumes with who and why journalled, saying what it held and for how long', async () => {
    const { url, redis, prefix, queue, controls, events } = await queueApi()
    const client = new FulfilmentQueueHttpClient({ baseUrl: url, token: TOKEN })
    expect(await client.status()).toMatchObject({ paused: false, waiting: 3, pause: null })

    const paused = await client.pause('workers fail every new order', 'ana')
    expect(paused).toMatchObject({
      paused: true,
      pause: { by: 'ana', reason: 'workers fail every new order' },
    })
    expect(await queue.isPaused()).toBe(true)
    expect((await readLeasedChanges(redis, prefix)).map((c) => c.resource)).toEqual([
      'fulfilment-queue-paused:fulfilment',
    ])
    expect(controls.pauseRequested()).toMatchObject({ by: 'ana' })
    expect(await controls.drained()).toBe(true)

    // Paused already: refused, nothing changed.
    await expect(client.pause('again', 'bo')).rejects.toMatchObject({
      code: SimulatorErrorCode.QUEUE_REQUEST_FAILED,
      status: 409,
    })

    const resumed = await client.resume('the flag is off', 'ana')
    expect(resumed).toMatchObject({ paused: false, pause: null })
    expect(await queue.isPaused()).toBe(false)
    expect(await readLeasedChanges(redis, prefix)).toEqual([])
    expect(events.map((e) => e.type)).toEqual(['queue.paused', 'queue.resumed'])
    expect(events[0]?.data).toMatchObject({ queue: 'fulfilment', by: 'ana', waiting: 3, active: 0 })
    expect(events[1]?.data).toMatchObject({
      queue: 'fulfilment',
      by: 'ana',
      held: 3,
      reason: 'the flag is off',
    })
    expect(events[1]?.data).toMatchObject({ pausedMs: expect.any(Number) })
    await expect(client.resume('again', 'ana')).rejects.toMatchObject({ status: 409 })
  })

  it("the drill's cleanup resumes a queue left paused, credited to firedrill", async () => {
    const { url, queue, controls, events } = await queueApi()
    await new FulfilmentQueueHttpClient({ baseUrl: url, token: TOKEN }).pause('hold', 'ana')
    await controls.putBack('drill finished')
    expect(await queue.isPaused()).toBe(false)
    expect(events.at(-1)).toMatchObject({
      type: 'queue.resumed',
      data: { by: 'firedrill', reason: 'drill cleanup: drill finished', held: 3 },
    })
  })

  it('firedrill queue pause|status|resume reach it with the URL and token from the environment', async () => {
    const { url, queue } = await queueApi()
    vi.stubEnv('FIREDRILL_DEPLOYS_URL', url)
    vi.stubEnv('FIREDRILL_DEPLOYS_TOKEN', TOKEN)
    const out: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk))
      return true
    })
    expect(await main(['queue', 'pause', '--reason', 'hold the orders', '--actor', 'ana'])).toBe(0)
    expect(await queue.isPaused()).toBe(true)
    expect(await main(['queue', 'status'])).toBe(0)
    expect(out.join('')).toMatch(/fulfilment queue PAUSED by ana since .* \(hold the orders\): 3 waiting/)
    expect(await main(['queue', 'resume', '--reason', 'safe again', '--actor', 'ana'])).toBe(0)
    expect(await queue.isPaused()).toBe(false)
    expect(out.at(-1)).toMatch(/fulfilment queue running: 3 waiting/)
  })
})
