import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createArrivalSchedule } from './arrival-schedule.ts'
import { TrafficErrorCode } from './errors.ts'

describe('arrival schedule', () => {
  it('puts request i at i/rate with constant arrivals', () => {
    const schedule = createArrivalSchedule(40, { kind: 'constant' })
    expect([0, 1, 2, 40].map((i) => schedule.offsetMs(i))).toEqual([0, 25, 50, 1000])
  })

  it('replays the same Poisson arrivals for the same seed, in increasing order, at the asked mean rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 500 }), (seed, rate) => {
        const a = createArrivalSchedule(rate, { kind: 'poisson', seed })
        const b = createArrivalSchedule(rate, { kind: 'poisson', seed })
        const offsets = Array.from({ length: 2000 }, (_, i) => a.offsetMs(i))
        expect(Array.from({ length: 2000 }, (_, i) => b.offsetMs(i))).toEqual(offsets)
        for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThanOrEqual(offsets[i - 1]!)
        const measuredRate = (offsets.length - 1) / (offsets.at(-1)! / 1000)
        expect(measuredRate / rate).toBeGreaterThan(0.85)
        expect(measuredRate / rate).toBeLessThan(1.15)
      }),
      { numRuns: 30 },
    )
  })

  it('refuses a rate that is not positive', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createArrivalSchedule(rate, { kind: 'constant' })).toThrow(
        expect.objectContaining({ code: TrafficErrorCode.OPTIONS_INVALID }),
      )
    }
  })
})
