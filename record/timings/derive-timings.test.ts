import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JournalBuilder } from '../journal/journal-builder.ts'
import type { JournalEvent } from '../journal/journal-event.ts'
import { sampleDrillJournal } from '../journal/sample-drill-journal.ts'
import { deriveTimings } from './derive-timings.ts'

const MS_FIELDS = ['mttdMs', 'mttaMs', 'mttmMs', 'mttrMs', 'mttrFromFirstErrorMs'] as const

/** A drill journal whose key events sit at the given offsets (ms), with noise around them. */
function drill(at: {
  release: number
  firstError: number
  alert: number
  ack: number
  mitigate: number
  recover: number
}): JournalEvent[] {
  const steps = [
    [at.release, () => j.add('release.step', { flag: 'f', step: 0, percent: 10, holdSeconds: 5 })],
    [at.firstError, () => j.add('request.first-failure', { status: 500, route: 'POST /orders' })],
    [
      at.alert,
      () =>
        j.add('alert.fired', {
          alert: 'fast-burn',
          severity: 'page',
          burnRates: { long: 20, short: 20 },
          threshold: 14.4,
          windows: { long: '1h', short: '5m' },
        }),
    ],
    [at.ack, () => j.add('page.acknowledged', { alert: 'fast-burn', by: 'bot' })],
    [
      at.mitigate,
      () => j.add('mitigation.applied', { action: 'flag-off', flag: 'f', by: 'bot', reason: 'page' }),
    ],
    [at.recover, () => j.add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })],
  ] as const
  const j = new JournalBuilder()
  for (const [offset, add] of [...steps].sort((a, b) => a[0] - b[0])) {
    j.at(offset)
    add()
  }
  return j.build()
}

const gaps = fc.record({
  release: fc.integer({ min: 0, max: 60_000 }),
  toFirstError: fc.integer({ min: 0, max: 10_000 }),
  toAlert: fc.integer({ min: 0, max: 60_000 }),
  toAck: fc.integer({ min: 0, max: 60_000 }),
  toMitigate: fc.integer({ min: 0, max: 60_000 }),
  toRecover: fc.integer({ min: 0, max: 60_000 }),
})

type Gaps = typeof gaps extends fc.Arbitrary<infer G> ? G : never

const drillOf = (g: Gaps) => {
  const alert = g.release + g.toFirstError + g.toAlert
  const ack = alert + g.toAck
  const mitigate = ack + g.toMitigate
  return drill({
    release: g.release,
    firstError: g.release + g.toFirstError,
    alert,
    ack,
    mitigate,
    recover: mitigate + g.toRecover,
  })
}

/** Any mix of timing-relevant events at any times, numbered in time order as the writer would. */
const anyJournal = fc
  .array(
    fc.record({
      offset: fc.integer({ min: 0, max: 100_000 }),
      kind: fc.constantFrom(
        'release',
        'release0',
        'firstError',
        'alert',
        'ticket',
        'ack',
        'mitigate',
        'recover',
        'noise',
      ),
    }),
    { maxLength: 30 },
  )
  .map((items) => {
    const j = new JournalBuilder()
    for (const { offset, kind } of [...items].sort((a, b) => a.offset - b.offset)) {
      j.at(offset)
      if (kind === 'release' || kind === 'release0')
        j.add('release.step', { flag: 'f', step: 0, percent: kind === 'release' ? 50 : 0, holdSeconds: 1 })
      if (kind === 'firstError') j.add('request.first-failure', { status: 500, route: 'POST /orders' })
      if (kind === 'alert' || kind === 'ticket')
        j.add('alert.fired', {
          alert: 'r',
          severity: kind === 'alert' ? 'page' : 'ticket',
          burnRates: { long: 1, short: 1 },
          threshold: 1,
          windows: { long: '1h', short: '5m' },
        })
      if (kind === 'ack') j.add('page.acknowledged', { alert: 'r', by: 'bot' })
      if (kind === 'mitigate')
        j.add('mitigation.applied', { action: 'flag-off', flag: 'f', by: 'bot', reason: 'x' })
      if (kind === 'recover') j.add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 1 })
      if (kind === 'noise') j.add('phase.entered', { phase: 'release' })
    }
    return j.build()
  })

describe('timings from a hand-made journal', () => {
  it('measures each figure between its two events', () => {
    expect(deriveTimings(sampleDrillJournal())).toEqual({
      releasedAt: '2026-01-01T12:00:06.000Z',
      firstErrorAt: '2026-01-01T12:00:07.200Z',
      detectedAt: '2026-01-01T12:00:27.500Z',
      acknowledgedAt: '2026-01-01T12:00:30.500Z',
      mitigatedAt: '2026-01-01T12:00:31.000Z',
      recoveredAt: '2026-01-01T12:00:34.000Z',
      mttdMs: 21_500,
      mttaMs: 3_000,
      mttmMs: 3_500,
      mttrMs: 28_000,
      mttrFromFirstErrorMs: 26_800,
    })
  })

  it('gives null for what a crashed run never reached', () => {
    const timings = deriveTimings(sampleDrillJournal({ crashAtMs: 29_000 }))
    expect(timings.mttdMs).toBe(21_500)
    expect([timings.acknowledgedAt, timings.mitigatedAt, timings.recoveredAt]).toEqual([null, null, null])
    expect([timings.mttaMs, timings.mttmMs, timings.mttrMs, timings.mttrFromFirstErrorMs]).toEqual([
      null,
      null,
      null,
      null,
    ])
  })

  it('gives null detection figures when no page fired, and still measures recovery', () => {
    const timings = deriveTimings(sampleDrillJournal({ withoutAlert: true }))
    expect([timings.detectedAt, timings.mttdMs, timings.mttaMs, timings.mttmMs]).toEqual([
      null,
      null,
      null,
      null,
    ])
    expect(timings.mttrMs).toBe(28_000)
  })

  it('ignores an alert that fired before the release (a false positive, not detection)', () => {
    const events = new JournalBuilder()
      .at(1_000)
      .add('alert.fired', {
        alert: 'r',
        severity: 'page',
        burnRates: { long: 1, short: 1 },
        threshold: 1,
        windows: { long: '1h', short: '5m' },
      })
      .at(5_000)
      .add('release.step', { flag: 'f', step: 0, percent: 10, holdSeconds: 1 })
      .build()
    expect(deriveTimings(events).detectedAt).toBeNull()
  })
})

describe('timings properties', () => {
  it('do not depend on the order events are listed in', () => {
    fc.assert(
      fc.property(
        anyJournal.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        ([events, shuffled]) => {
          expect(deriveTimings(shuffled)).toEqual(deriveTimings(events))
        },
      ),
    )
  })

  it('are never negative, whatever the journal holds', () => {
    fc.assert(
      fc.property(anyJournal, (events) => {
        const timings = deriveTimings(events)
        for (const field of MS_FIELDS) expect(timings[field] === null || timings[field] >= 0).toBe(true)
      }),
    )
  })

  it('keep the incident order: released ≤ detected ≤ acknowledged, detected ≤ mitigated ≤ recovered', () => {
    fc.assert(
      fc.property(anyJournal, (events) => {
        const t = deriveTimings(events)
        const le = (a: string | null, b: string | null) =>
          a === null || b === null || Date.parse(a) <= Date.parse(b)
        expect(
          le(t.releasedAt, t.detectedAt) &&
            le(t.detectedAt, t.acknowledgedAt) &&
            le(t.releasedAt, t.mitigatedAt) &&
            le(t.mitigatedAt, t.recoveredAt),
        ).toBe(true)
      }),
    )
  })

  it('equal the gaps they were built from, and a later alert means a longer time to detect', () => {
    fc.assert(
      fc.property(gaps, fc.integer({ min: 1, max: 30_000 }), (g, delay) => {
        const t = deriveTimings(drillOf(g))
        expect(t.mttdMs).toBe(g.toFirstError + g.toAlert)
        expect(t.mttaMs).toBe(g.toAck)
        expect(t.mttmMs).toBe(g.toAck + g.toMitigate)
        expect(t.mttrMs).toBe(g.toFirstError + g.toAlert + g.toAck + g.toMitigate + g.toRecover)
        const later = deriveTimings(drillOf({ ...g, toAlert: g.toAlert + delay }))
        expect(later.mttdMs).toBe(t.mttdMs! + delay)
        expect(later.mttrMs).toBe(t.mttrMs! + delay)
        expect(later.mttaMs).toBe(t.mttaMs)
      }),
    )
  })

  it('are unchanged by high-volume and unrelated events', () => {
    fc.assert(
      fc.property(gaps, (g) => {
        const events = drillOf(g)
        const noise = new JournalBuilder()
          .at(g.release + 1)
          .add('phase.entered', { phase: 'respond' })
          .add('sli.evaluated', { rule: 'r', errorRatios: {}, burnRates: {} })
          .build()
        const renumbered = [...events, ...noise].map((e, i) => ({ ...e, seq: i + 1 }))
        expect(deriveTimings(renumbered)).toEqual(deriveTimings(events))
      }),
    )
  })

  it('give null for every figure that needs an event type that is missing', () => {
    fc.assert(
      fc.property(
        gaps,
        fc.constantFrom(
          'release.step',
          'alert.fired',
          'page.acknowledged',
          'mitigation.applied',
          'recovery.confirmed',
        ),
        (g, missing) => {
          const t = deriveTimings(drillOf(g).filter((e) => e.type !== missing))
          const nulls: Record<string, (keyof typeof t)[]> = {
            'release.step': ['releasedAt', 'mttdMs', 'mttrMs'],
            'alert.fired': ['detectedAt', 'mttdMs', 'mttaMs', 'mttmMs'],
            'page.acknowledged': ['acknowledgedAt', 'mttaMs'],
            'mitigation.applied': ['mitigatedAt', 'mttmMs'],
            'recovery.confirmed': ['recoveredAt', 'mttrMs', 'mttrFromFirstErrorMs'],
          }
          for (const field of nulls[missing]!) expect(t[field]).toBeNull()
        },
      ),
    )
  })
})
