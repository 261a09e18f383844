import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { OFF } from '../services/flags/flag-state.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import type { Responder } from '../simulator/drill/responders/responder.ts'
import type { runDrill } from '../simulator/drill/run-drill.ts'
import { catalogDrill } from './support/release-drill.ts'

const FLAG = 'payments.instant-retry'
const RESPONDER = 'ana'

const work = await mkdtemp(join(tmpdir(), 'firedrill-queue-pause-'))
afterAll(() => rm(work, { recursive: true, force: true }))

// The retry-storm drill at its own rate, as its own test runs it: the workers' instant retries keep the payment
// provider saturated after a blip, and every order they take is refused ten times and failed.
const drill = (extra: Partial<Parameters<typeof runDrill>[0]> = {}) =>
  catalogDrill(work, 'retry-storm', { traffic: { ratePerSecond: 20 }, timeScale: 1 / 400 }, extra)

/**
 * An on-call engineer who holds the orders first: acknowledges, pauses the fulfilment queue through the queue
 * control beside the deploys API, then (`thenFlagOff`) turns the instant retries off and, once the provider has
 * had a moment, resumes the queue so the held orders go the usual way.
 */
function pausingResponder(options: { resume: boolean; onPaused?: () => void }): Responder {
  return {
    kind: 'human',
    name: RESPONDER,
    async respond(_page, context) {
      await context.acknowledge(RESPONDER)
      const queue = context.queue
      if (queue === undefined) throw new Error('this drill offers no queue control')
      await queue.pause(
        'every order the workers take is refused ten times: hold them until retrying is safe',
        RESPONDER,
      )
      options.onPaused?.()
      if (!options.resume) return
      await context.clock.sleep(2000, context.signal)
      await context.flags.set(FLAG, OFF, 'retries at once keep the provider saturated', RESPONDER)
      await context.clock.sleep(1500, context.signal)
      await queue.resume('instant retries off: the held orders go through the queue backoff', RESPONDER)
    },
  }
}

describe('pausing the fulfilment queue', () => {
  it('in a retry storm: timed once the workers hold no job, journalled with who paused, named in the postmortem with what it held and for how long, and the held orders paid once resumed', async () => {
    const { outcome, events, at } = await drill({
      respondWith: pausingResponder({ resume: true }),
      followUp: false,
    })
    expect(outcome.abortReason).toBeUndefined()
    expect(outcome.status).toBe('recovered')

    const [paused] = eventsOf(events, 'queue.paused')
    expect(paused?.data).toMatchObject({ queue: 'fulfilment', by: RESPONDER })
    const mitigations = eventsOf(events, 'mitigation.applied')
    expect(mitigations).toHaveLength(1)
    expect(mitigations[0]?.data).toMatchObject({ action: 'queue paused', queue: 'fulfilment', by: RESPONDER })
    // Observed by its effect, not at the request.
    expect(at(mitigations[0]!)).toBeGreaterThanOrEqual(at(paused!))
    const [resumed] = eventsOf(events, 'queue.resumed')
    expect(resumed?.data).toMatchObject({ queue: 'fulfilment', by: RESPONDER })
    expect(resumed!.data.held).toBeGreaterThan(0)
    expect(eventsOf(events, 'queue.resumed')).toHaveLength(1)
    // Recovery comes only once the held orders flow again: a paused queue settles nothing, so proves nothing.
    const [recovered] = eventsOf(events, 'recovery.confirmed')
    expect(at(recovered!)).toBeGreaterThan(at(resumed!))

    const { summary } = await reportRun(outcome.outDir)
    expect(summary.timings.mttmMs).toBe(at(mitigations[0]!) - at(eventsOf(events, 'alert.fired')[0]!))
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('paused the fulfilment queue')
    expect(markdown).toMatch(/held \d+ orders? for \d+(\.\d+)? s/)
    expect(markdown).toContain(`${RESPONDER} resumed it`)
    expect(markdown).not.toContain('The flag was turned off')
    expect(markdown).not.toContain('undefined')
  }, 300_000)

  it('left paused by the responder: the drill puts it back at cleanup, and the postmortem says the queue held the orders until then', async () => {
    const drillSignal = new AbortController()
    const { outcome, events } = await drill({
      respondWith: pausingResponder({
        resume: false,
        // Ends the drill a few seconds after the pause, as Ctrl-C would: the queue is still paused at cleanup.
        onPaused: () => setTimeout(() => drillSignal.abort(new Error('interrupted')), 4000),
      }),
      signal: drillSignal.signal,
      followUp: false,
    })
    expect(outcome.status).toBe('aborted')
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({ action: 'queue paused' })
    expect(eventsOf(events, 'recovery.confirmed')).toEqual([])
    const resumed = eventsOf(events, 'queue.resumed')
    expect(resumed).toHaveLength(1)
    expect(resumed[0]?.data).toMatchObject({
      by: 'firedrill',
      reason: expect.stringMatching(/^drill cleanup/),
    })
    const cleanup = eventsOf(events, 'cleanup.finished')[0]
    expect(cleanup?.data.failed).toEqual([])
    const { summary } = await reportRun(outcome.outDir)
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('paused the fulfilment queue')
    expect(markdown).toContain("the drill's cleanup resumed it")
  }, 300_000)
})
