import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { Artifact } from '../../gate/build/artifact.ts'
import { ARTIFACT_HASH_HEADER } from '../../gate/deploy/environment.ts'
import { systemClock } from '../../record/clock/clock.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillPaging } from './drill-paging.ts'
import { observeMitigation } from './flag-steps.ts'
import type { ProductionDeploys } from './production-deploys.ts'
import { queuePauseMitigation } from './queue-pause-mitigation.ts'

const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** An api instance that keeps answering from the change's artifact: nobody has mitigated. */
async function instanceOnTheChange(): Promise<string> {
  const app = Fastify({ logger: false })
  app.get('/readyz', async (_request, reply) => reply.header(ARTIFACT_HASH_HEADER, 'the-change').send({}))
  closers.push(() => app.close())
  return app.listen({ host: '127.0.0.1', port: 0 })
}

/** An api instance answering from the build before the change: production never got the change. */
async function instanceOnTheBuildBefore(): Promise<string> {
  const app = Fastify({ logger: false })
  app.get('/readyz', async (_request, reply) =>
    reply.header(ARTIFACT_HASH_HEADER, 'the-build-before').send({}),
  )
  closers.push(() => app.close())
  return app.listen({ host: '127.0.0.1', port: 0 })
}

/** A flag service whose flag serves on until `offAfterMs`, then off, turned off by the responder. */
async function flagServiceTurnedOffAfter(offAfterMs: number): Promise<string> {
  const app = Fastify({ logger: false })
  const offAt = Date.now() + offAfterMs
  const flag = () => ({
    key: 'checkout.new-pricing',
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: Date.now() >= offAt ? 'off' : 'on',
    summary: Date.now() >= offAt ? 'off' : 'on',
  })
  app.get('/flags', async () => ({ flags: [flag()] }))
  app.get('/flags/audit', async () => ({
    entries: [
      {
        revision: 2,
        flag: 'checkout.new-pricing',
        from: 'on',
        to: 'off',
        actor: 'responder-bot',
        reason: 'paged',
        at: new Date(offAt).toISOString(),
        change: {},
      },
    ],
  }))
  closers.push(() => app.close())
  return app.listen({ host: '127.0.0.1', port: 0 })
}

describe('observing the mitigation', () => {
  it('takes no rollback for the mitigation when production never left the build before and nobody asked for one', async () => {
    // Regression: a prevented --again run that still paged saw "production rolled back (by unknown)" at once,
    // because every instance already answered from the build a rollback would go back to.
    const url = await instanceOnTheBuildBefore()
    const flags = new FlagsHttpClient({ baseUrl: await flagServiceTurnedOffAfter(400) })
    const journalled: unknown[] = []
    const observed = await observeMitigation({
      flags,
      flag: 'checkout.new-pricing',
      rollback: {
        deploys: { rollbackRequested: () => undefined } as unknown as ProductionDeploys,
        urls: () => [url],
        to: { contentHash: 'the-build-before' } as Artifact,
      },
      alert: 'fast-burn',
      paging: { acknowledged: () => true } as unknown as DrillPaging,
      journal: { append: async (event: unknown) => journalled.push(event) } as unknown as DrillJournal,
      clock: systemClock,
      signal: new AbortController().signal,
    })
    expect(observed).toEqual({ action: 'flag off', by: 'responder-bot' })
    expect(journalled.at(-1)).toMatchObject({ type: 'mitigation.applied', data: { action: 'flag off' } })
  })

  it('gives up when the drill aborts while it waits, rather than waiting for ever', async () => {
    const url = await instanceOnTheChange()
    const drill = new AbortController()
    const observed = observeMitigation({
      flags: new FlagsHttpClient({ baseUrl: 'http://127.0.0.1:9' }),
      flag: undefined,
      rollback: {
        deploys: { rollbackRequested: () => ({ by: 'responder-bot' }) } as unknown as ProductionDeploys,
        urls: () => [url],
        to: { contentHash: 'the-build-before' } as Artifact,
      },
      alert: 'fast-burn',
      paging: {} as DrillPaging,
      journal: {} as DrillJournal,
      clock: systemClock,
      signal: drill.signal,
    })
    setTimeout(() => drill.abort(new Error('stop condition tripped')), 300)
    const outcome = await Promise.race([
      observed.then(
        () => 'mitigated',
        (err: Error) => err.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000)),
    ])
    expect(outcome).toBe('stop condition tripped')
  })

  it('times a pause of the fulfilment queue by its effect: once the worker has finished the job in hand, not at the request', async () => {
    const url = await instanceOnTheChange()
    const flags = new FlagsHttpClient({ baseUrl: await flagServiceTurnedOffAfter(60_000) })
    const requestedAt = Date.now()
    // The queue is paused at once, but the worker holds a job for another 400 ms.
    const request = { by: 'ana', reason: 'workers fail every new order', at: requestedAt }
    const journalled: { type: string; data: Record<string, unknown> }[] = []
    const observed = await observeMitigation({
      flags,
      flag: 'checkout.new-pricing',
      rollback: {
        deploys: { rollbackRequested: () => undefined } as unknown as ProductionDeploys,
        urls: () => [url],
        to: { contentHash: 'the-build-before' } as Artifact,
      },
      queuePause: {
        pauseRequested: () => request,
        drained: async () => Date.now() - requestedAt >= 400,
        status: async () => ({
          queue: 'fulfilment',
          paused: true,
          waiting: 12,
          active: 0,
          delayed: 0,
          pause: { by: 'ana', reason: request.reason, since: new Date(requestedAt).toISOString() },
        }),
      },
      alert: 'fast-burn',
      paging: { acknowledged: () => true } as unknown as DrillPaging,
      journal: { append: async (event: never) => journalled.push(event) } as unknown as DrillJournal,
      clock: systemClock,
      signal: new AbortController().signal,
    })
    expect(observed).toEqual({ action: 'queue paused', by: 'ana' })
    expect(Date.now() - requestedAt).toBeGreaterThanOrEqual(400)
    expect(journalled.at(-1)).toMatchObject({
      type: 'mitigation.applied',
      data: { action: 'queue paused', queue: 'fulfilment', held: 12, by: 'ana', reason: request.reason },
    })
  })

  it('offers a pause of the queue as a mitigation only to a drill with a fulfilment SLO', () => {
    const watch = { pauseRequested: () => undefined, drained: async () => false, status: async () => ({}) }
    const slo = (...slis: ('availability' | 'latency' | 'fulfilment')[]) => ({
      slo: { indicators: slis.map((sli) => ({ name: sli, sli })) },
    })
    expect(queuePauseMitigation(slo('fulfilment', 'availability') as never, watch as never)).toHaveProperty(
      'queuePause',
    )
    expect(queuePauseMitigation(slo('availability', 'latency') as never, watch as never)).toEqual({})
  })
})
