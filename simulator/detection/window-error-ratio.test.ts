import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SliSample } from './sli-sample.ts'
import { windowErrorRatio } from './window-error-ratio.ts'

/** A series one sample per second with random requests and bad requests per step. */
const seriesArb = fc
  .array(
    fc
      .integer({ min: 0, max: 200 })
      .chain((requests) => fc.tuple(fc.constant(requests), fc.integer({ min: 0, max: requests }))),
    { minLength: 1, maxLength: 60 },
  )
  .map((steps) => {
    const samples: SliSample[] = [{ t: 0, total: 0, bad: 0 }]
    for (const [requests, bad] of steps) {
      const last = samples.at(-1)!
      samples.push({ t: last.t + 1000, total: last.total + requests, bad: last.bad + bad })
    }
    return samples
  })

describe('window error ratio', () => {
  it('is the ratio of the increases over the window, between 0 and 1, or no data', () => {
    fc.assert(
      fc.property(
        seriesArb,
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 100 }),
        (series, windowS, minRequests) => {
          const now = series.at(-1)!.t
          const evidence = windowErrorRatio(series, now, windowS * 1000, 0.99, minRequests)
          const start = series[Math.max(0, series.length - 1 - windowS)]!
          const end = series.at(-1)!
          if (series.length < 2) {
            expect(evidence.errorRatio).toBeNull()
            return
          }
          expect(evidence.total).toBe(end.total - start.total)
          expect(evidence.bad).toBe(end.bad - start.bad)
          if (evidence.total < minRequests) expect(evidence.errorRatio).toBeNull()
          else {
            expect(evidence.errorRatio).toBe(evidence.bad / evidence.total)
            expect(evidence.errorRatio!).toBeGreaterThanOrEqual(0)
            expect(evidence.errorRatio!).toBeLessThanOrEqual(1)
            expect(evidence.burnRate).toBeCloseTo(evidence.errorRatio! / 0.01)
          }
        },
      ),
    )
  })

  it('sees nothing after now', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 0, max: 60 }), (series, nowS) => {
        const now = nowS * 1000
        const past = series.filter((s) => s.t <= now)
        expect(windowErrorRatio(series, now, 10_000, 0.99, 1)).toEqual(
          windowErrorRatio(past, now, 10_000, 0.99, 1),
        )
      }),
    )
  })

  it('has no data without two samples', () => {
    expect(windowErrorRatio([], 0, 1000, 0.99, 1).errorRatio).toBeNull()
    expect(windowErrorRatio([{ t: 0, total: 500, bad: 500 }], 0, 1000, 0.99, 1).errorRatio).toBeNull()
  })
})
