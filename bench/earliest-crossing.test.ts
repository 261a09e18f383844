import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { theoreticalDetectionMs } from '../simulator/detection/theoretical-detection-ms.ts'
import { earliestCrossingMs } from './earliest-crossing.ts'

// The scan steps in whole milliseconds; float rounding at the crossing may take one step more.
const RESOLUTION_MS = 2

describe('earliest crossing of a burn-rate window', () => {
  it('is the textbook θ·W/e for a window full of clean history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 60_000 }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 1.2, max: 20, noNaN: true }),
        (windowMs, threshold, over) => {
          const e = Math.min(1, threshold * over)
          const t = earliestCrossingMs({ windowMs, preMs: windowMs * 2, preErrorRatio: 0 }, e, threshold)
          expect(Math.abs(t - (threshold * windowMs) / e)).toBeLessThanOrEqual(RESOLUTION_MS)
        },
      ),
    )
  })

  it('matches theoreticalDetectionMs for a clean history shorter than the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 90_000 }),
        fc.integer({ min: 0, max: 90_000 }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 1.2, max: 20, noNaN: true }),
        (windowMs, preMs, threshold, over) => {
          const e = Math.min(1, threshold * over)
          const rule = { name: 'r', severity: 'page', longWindowMs: windowMs, shortWindowMs: 1, burnRate: 1 }
          const expected = theoreticalDetectionMs({
            rule,
            objective: 1 - threshold,
            errorRatio: e,
            cleanHistoryMs: preMs,
            scrapeIntervalMs: 0,
            evaluationIntervalMs: 0,
          })
          const t = earliestCrossingMs({ windowMs, preMs, preErrorRatio: 0 }, e, threshold)
          expect(Math.abs(t - expected)).toBeLessThanOrEqual(RESOLUTION_MS)
        },
      ),
    )
  })

  it('comes no later when the history already holds errors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 90_000 }),
        fc.integer({ min: 0, max: 90_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (windowMs, preMs, r0) => {
          const clean = earliestCrossingMs({ windowMs, preMs, preErrorRatio: 0 }, 0.15, 0.06)
          const dirty = earliestCrossingMs({ windowMs, preMs, preErrorRatio: r0 }, 0.15, 0.06)
          expect(dirty).toBeLessThanOrEqual(clean)
        },
      ),
    )
  })

  it('never crosses when the error ratio stays at or under the threshold', () => {
    expect(earliestCrossingMs({ windowMs: 15_000, preMs: 5_000, preErrorRatio: 0 }, 0.144, 0.144)).toBe(
      Number.POSITIVE_INFINITY,
    )
  })
})
