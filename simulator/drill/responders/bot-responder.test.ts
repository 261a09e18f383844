import { describe, expect, it } from 'vitest'
import { systemClock } from '../../../record/clock/clock.ts'
import { MAX_REASON_LENGTH } from '../../../services/flags/flags-schemas.ts'
import type { Page } from '../pager.ts'
import { botResponder, reasonOf } from './bot-responder.ts'
import type { Diagnosis } from './diagnose.ts'
import type { ResponderContext } from './responder.ts'
import type { WorkerCounters } from './worker-dashboard.ts'

describe("the bot's reason for a change", () => {
  it('gives why and what whole when they fit', () => {
    expect(reasonOf('fast-burn paged: the flag started the burn', 'turning it off')).toBe(
      'fast-burn paged: the flag started the burn; turning it off',
    )
  })

  it('cuts a long hypothesis to what the flag service keeps, and still says what it does', () => {
    const reason = reasonOf(
      `fast-burn paged: ${'the workers call the provider again and again, '.repeat(20)}`,
      'turning it off',
    )
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH)
    expect(reason).toMatch(/^fast-burn paged: the workers call/)
    expect(reason).toMatch(/…; turning it off$/)
  })
})

const PAGE = {
  alert: 'slow-burn',
  severity: 'page',
  summary: '',
  description: '',
  startsAt: new Date().toISOString(),
  fingerprint: 'f',
  groupKey: 'g',
  dedupKey: 'd',
  alerts: ['slow-burn'],
  slos: ['orders-paid'],
} as Page

/** What the bot reaches, with a workers' dashboard of `workers`'s making; the rest answers at once, empty. */
function context(workers: () => Promise<WorkerCounters | null>) {
  const seen = { acknowledgedAfterMs: -1, diagnosis: undefined as Diagnosis | undefined }
  const startedAt = Date.now()
  const ctx = {
    flags: { audit: async () => [], set: async () => ({}) },
    deploys: { list: async () => ({ history: [] }), rollback: async () => ({}) },
    provider: async () => null,
    workers,
    clock: systemClock,
    signal: new AbortController().signal,
    acknowledge: async () => {
      seen.acknowledgedAfterMs = Date.now() - startedAt
    },
    diagnosed: async (_by: string, d: Diagnosis) => {
      seen.diagnosis = d
    },
    say: () => {},
  } as unknown as ResponderContext
  return { ctx, seen }
}

describe("the bot's look at the workers' dashboard", () => {
  it('does not hold the acknowledgement back when a worker is slow to answer', async () => {
    const slow = () => new Promise<WorkerCounters | null>((resolve) => setTimeout(() => resolve(null), 1500))
    const { ctx, seen } = context(slow)
    await botResponder(100).respond(PAGE, ctx)
    expect(seen.acknowledgedAfterMs).toBeGreaterThanOrEqual(90)
    expect(seen.acknowledgedAfterMs).toBeLessThan(1000)
    expect(seen.diagnosis?.evidence.workers).toBeUndefined()
  })

  it('diagnoses without it when the dashboard cannot be read', async () => {
    const { ctx, seen } = context(() => Promise.reject(new Error('connection refused')))
    await botResponder(10).respond(PAGE, ctx)
    expect(seen.diagnosis?.action).toEqual({ kind: 'escalate' })
    expect(seen.diagnosis?.evidence.workers).toBeUndefined()
  })
})
