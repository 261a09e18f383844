import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JournalBuilder } from '../journal/journal-builder.ts'
import type { JournalEvent } from '../journal/journal-event.ts'
import { sampleDrillJournal } from '../journal/sample-drill-journal.ts'
import { deriveImpact } from './derive-impact.ts'
import { theoreticalDetectionMs } from './theoretical-detection.ts'

interface Slice {
  widthMs: number
  requests: number
  failures: number
}

function journalOf(slices: readonly Slice[]): JournalEvent[] {
  const j = new JournalBuilder()
  let offset = 0
  slices.forEach((s, index) => {
    j.at(offset + s.widthMs).add('traffic.interval', {
      index,
      from: j.iso(offset),
      to: j.iso(offset + s.widthMs),
      requests: s.requests,
      failures: s.failures,
      dropped: 0,
      byStatus: {},
      latencyP50Ms: null,
      latencyP99Ms: null,
    })
    offset += s.widthMs
  })
  return j.build()
}

const slice = fc
  .record({
    widthMs: fc.integer({ min: 1, max: 5_000 }),
    requests: fc.integer({ min: 0, max: 500 }),
    failed: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ widthMs, requests, failed }) => ({ widthMs, requests, failures: Math.floor(requests * failed) }))
const slo = fc.record({
  objective: fc.double({ min: 0.5, max: 0.99999, noNaN: true }),
  windowMs: fc.integer({ min: 1, max: 1e9 }),
})

describe('impact from a hand-made journal', () => {
  it('counts requests and failures and the budget they used', () => {
    const events = journalOf([
      { widthMs: 5_000, requests: 500, failures: 0 },
      { widthMs: 5_000, requests: 500, failures: 50 },
    ])
    // 50 failures; budget over a 100 s window at 100 req/s = 0.01 × 1000 × 10 = 100 failures → 50 %.
    expect(deriveImpact(events, { objective: 0.99, windowMs: 100_000 })).toEqual({
      requests: 1_000,
      failedRequests: 50,
      errorRatio: 0.05,
      errorBudgetConsumedPct: 50,
      observedMs: 10_000,
    })
  })

  it('uses the drill itself as the window when the drill outlasts the SLO window', () => {
    const events = journalOf([{ widthMs: 10_000, requests: 1_000, failures: 5 }])
    expect(deriveImpact(events, { objective: 0.99, windowMs: 1_000 }).errorBudgetConsumedPct).toBeCloseTo(
      50,
      10,
    )
  })

  it('matches the documented figure for the sample drill', () => {
    const impact = deriveImpact(sampleDrillJournal(), { objective: 0.99, windowMs: 10_800_000 })
    expect([impact.requests, impact.failedRequests, impact.observedMs]).toEqual([1_520, 146, 38_000])
    expect(impact.errorBudgetConsumedPct).toBeCloseTo(3.3796, 4)
  })

  it('is zero without traffic', () => {
    expect(deriveImpact([], { objective: 0.99, windowMs: 1_000 })).toEqual({
      requests: 0,
      failedRequests: 0,
      errorRatio: 0,
      errorBudgetConsumedPct: 0,
      observedMs: 0,
    })
  })

  it('counts only the intervals inside a range', () => {
    const events = journalOf([
      { widthMs: 1_000, requests: 10, failures: 0 },
      { widthMs: 1_000, requests: 10, failures: 4 },
    ])
    const start = Date.UTC(2026, 0, 1, 12)
    expect(
      deriveImpact(events, { objective: 0.99, windowMs: 1_000 }, { fromMs: start + 1_000 }).errorRatio,
    ).toBe(0.4)
  })
})

describe('impact properties', () => {
  it('does not depend on event order', () => {
    fc.assert(
      fc.property(fc.array(slice, { maxLength: 20 }), slo, (slices, s) => {
        const events = journalOf(slices)
        expect(deriveImpact([...events].reverse(), s)).toEqual(deriveImpact(events, s))
      }),
    )
  })

  it('keeps the error ratio within 0..1 and the budget non-negative', () => {
    fc.assert(
      fc.property(fc.array(slice, { maxLength: 20 }), slo, (slices, s) => {
        const impact = deriveImpact(journalOf(slices), s)
        expect(impact.errorRatio).toBeGreaterThanOrEqual(0)
        expect(impact.errorRatio).toBeLessThanOrEqual(1)
        expect(impact.errorBudgetConsumedPct).toBeGreaterThanOrEqual(0)
      }),
    )
  })

  it('is the same whether traffic is counted in one interval or split in two', () => {
    fc.assert(
      fc.property(slice, fc.double({ min: 0, max: 1, noNaN: true }), slo, (whole, at, s) => {
        fc.pre(whole.widthMs >= 2)
        const firstWidth = Math.max(1, Math.min(whole.widthMs - 1, Math.round(whole.widthMs * at)))
        const firstRequests = Math.floor(whole.requests * at)
        const firstFailures = Math.min(firstRequests, Math.floor(whole.failures * at))
        const split = journalOf([
          { widthMs: firstWidth, requests: firstRequests, failures: firstFailures },
          {
            widthMs: whole.widthMs - firstWidth,
            requests: whole.requests - firstRequests,
            failures: whole.failures - firstFailures,
          },
        ])
        const a = deriveImpact(journalOf([whole]), s)
        const b = deriveImpact(split, s)
        expect([b.requests, b.failedRequests, b.observedMs]).toEqual([
          a.requests,
          a.failedRequests,
          a.observedMs,
        ])
        expect(b.errorBudgetConsumedPct).toBeCloseTo(a.errorBudgetConsumedPct, 3)
      }),
    )
  })

  it('never uses less budget when more requests fail', () => {
    fc.assert(
      fc.property(slice, fc.nat(100), slo, (base, extra, s) => {
        const more = { ...base, failures: Math.min(base.requests, base.failures + extra) }
        expect(deriveImpact(journalOf([more]), s).errorBudgetConsumedPct).toBeGreaterThanOrEqual(
          deriveImpact(journalOf([base]), s).errorBudgetConsumedPct,
        )
      }),
    )
  })
})

describe('theoretical detection time', () => {
  it('is the workbook figure: 100 % errors on a 99.9 % SLO trip 14.4× over 1h in 52 s', () => {
    expect(
      theoreticalDetectionMs({ longWindowMs: 3_600_000, burnRate: 14.4, objective: 0.999, errorRatio: 1 }),
    ).toBeCloseTo(51_840, 6)
  })

  it('is null when the error ratio cannot reach the threshold', () => {
    expect(
      theoreticalDetectionMs({ longWindowMs: 15_000, burnRate: 14.4, objective: 0.99, errorRatio: 0.1 }),
    ).toBeNull()
  })

  it('shrinks as the error ratio grows and never exceeds the long window', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (a, b) => {
          const input = { longWindowMs: 15_000, burnRate: 6, objective: 0.99 }
          const [low, high] = a <= b ? [a, b] : [b, a]
          const slow = theoreticalDetectionMs({ ...input, errorRatio: low })
          const fast = theoreticalDetectionMs({ ...input, errorRatio: high })
          if (slow !== null) {
            expect(fast).not.toBeNull()
            expect(fast!).toBeLessThanOrEqual(slow)
            expect(slow).toBeLessThanOrEqual(15_000)
          }
        },
      ),
    )
  })
})
