import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { physicalFloorMs, type SliEvent } from './physical-floor.ts'

const rule = { longWindowMs: 10_000, shortWindowMs: 1_000, burnRate: 10 }

/** One event every `gapMs` from `from` to `to`, bad from `faultAt` on with probability 1 (every `badEvery`th). */
function events(from: number, to: number, gapMs: number, faultAt: number, badEvery = 1): SliEvent[] {
  const out: SliEvent[] = []
  let i = 0
  for (let t = from; t < to; t += gapMs) out.push({ t, bad: t >= faultAt && i++ % badEvery === 0 })
  return out
}

describe('physical floor of detection', () => {
  it('is θ·W/e after the fault for windows full of clean events', () => {
    // 100 events a second; from 20 s every event is bad (e = 1); θ = 10 × 1 % = 10 %: the 10 s window crosses
    // once more than 1 s of its 10 s is bad.
    const floor = physicalFloorMs(events(0, 40_000, 10, 20_000), {
      rules: [rule],
      objective: 0.99,
      dataFrom: 0,
      from: 20_000,
      until: 40_000,
    })
    expect(floor! - 20_000).toBeGreaterThanOrEqual(1000)
    expect(floor! - 20_000).toBeLessThanOrEqual(1010)
  })

  it('comes sooner when the data starts less than a window before the fault', () => {
    // 2 s of clean history: t / (2 s + t) > 10 % at t > 0.222 s.
    const floor = physicalFloorMs(events(0, 20_000, 10, 2000), {
      rules: [rule],
      objective: 0.99,
      dataFrom: 0,
      from: 2000,
      until: 20_000,
    })
    expect(floor! - 2000).toBeGreaterThan(215)
    expect(floor! - 2000).toBeLessThanOrEqual(240)
  })

  it('is never before the fault, never when the ratio stays under the threshold, and needs enough events', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 40 }), (badEvery) => {
        // One bad event in `badEvery` stays under 10 %.
        const floor = physicalFloorMs(events(0, 20_000, 10, 5000, badEvery), {
          rules: [rule],
          objective: 0.99,
          dataFrom: 0,
          from: 0,
          until: 20_000,
        })
        expect(floor).toBeNull()
      }),
      { numRuns: 10 },
    )
    const sparse = physicalFloorMs(events(0, 20_000, 500, 5000), {
      rules: [rule],
      objective: 0.99,
      dataFrom: 0,
      from: 5000,
      until: 20_000,
    })
    // 2 events a second: the 1 s short window never holds 10.
    expect(sparse).toBeNull()
  })
})
