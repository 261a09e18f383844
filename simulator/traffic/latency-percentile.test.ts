import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { latencyPercentile } from './latency-percentile.ts'

describe('latency percentile', () => {
  it('gives known nearest-rank answers', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    expect(latencyPercentile(values, 50)).toBe(5)
    expect(latencyPercentile(values, 99)).toBe(10)
    expect(latencyPercentile(values, 0)).toBe(1)
    expect(latencyPercentile([], 50)).toBeNull()
  })

  it('returns an observed value with at least p% of the values at or below it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b)
          const result = latencyPercentile(sorted, p)!
          expect(sorted).toContain(result)
          expect(sorted.filter((v) => v <= result).length / sorted.length).toBeGreaterThanOrEqual(
            p / 100 - 1e-9,
          )
          expect(latencyPercentile(sorted, Math.min(100, p + 10))!).toBeGreaterThanOrEqual(result)
        },
      ),
    )
  })
})
