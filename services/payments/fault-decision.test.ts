import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideFault, strikes } from './fault-decision.ts'

describe('fault rates', () => {
  it('strike exactly ceil(n * percent / 100) of the first n charge attempts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 500 }), (percent, n) => {
        let count = 0
        for (let sequence = 1; sequence <= n; sequence++) if (strikes(percent, sequence)) count++
        expect(count).toBe(Math.ceil((n * percent) / 100))
      }),
    )
  })

  it('never strike twice in a row below 50 percent, so a retry after a strike goes through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 10_000 }),
        (percent, sequence) => {
          expect(strikes(percent, sequence) && strikes(percent, sequence + 1)).toBe(false)
        },
      ),
    )
  })

  it('bite on the very first attempt', () => {
    expect(decideFault({ mode: 'error-rate', percent: 1 }, 1).failWith).toEqual({ status: 500 })
    expect(decideFault({ mode: 'rate-limit', retryAfterSeconds: 3 }, 1).failWith).toEqual({
      status: 429,
      retryAfterSeconds: 3,
    })
  })

  it('leave requests that are not charge attempts alone', () => {
    expect(decideFault({ mode: 'error-rate', percent: 100 }, undefined).failWith).toBeUndefined()
    expect(decideFault({ mode: 'outage' }, undefined).failWith).toEqual({ status: 503 })
    expect(decideFault({ mode: 'latency', ms: 40 }, undefined).delayMs).toBe(40)
  })
})
