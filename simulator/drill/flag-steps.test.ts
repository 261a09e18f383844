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

describe('observing the mitigation', () => {
  it('gives up when the drill aborts while it waits, rather than waiting for ever', async () => {
    const url = await instanceOnTheChange()
    const drill = new AbortController()
    const observed = observeMitigation({
      flags: new FlagsHttpClient({ baseUrl: 'http://127.0.0.1:9' }),
      flag: undefined,
      rollback: {
        deploys: {} as ProductionDeploys,
        urls: [url],
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
})
