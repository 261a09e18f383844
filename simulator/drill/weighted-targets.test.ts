import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { weighted } from './weighted-targets.ts'

describe('round-robin targets with a canary', () => {
  it('sends exactly the canary its share, and the rest evenly over the others, for any share and instance count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 8 }), (percent, n) => {
        const urls = Array.from({ length: n }, (_, i) => `http://127.0.0.1:${3000 + i}`)
        const list = weighted(urls, 'http://127.0.0.1:4000', percent)
        const canary = list.filter((u) => u === 'http://127.0.0.1:4000').length
        expect((canary / list.length) * 100).toBeCloseTo(percent, 9)
        const others = urls.map((u) => list.filter((x) => x === u).length)
        expect(new Set(others).size).toBe(1)
      }),
    )
  })

  it('spreads the canary through the list rather than bunching it', () => {
    expect(weighted(['a', 'b'], 'C', 25)).toEqual(['a', 'b', 'a', 'C', 'b', 'a', 'b', 'C'])
  })
})
