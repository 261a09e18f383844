import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFlagdCore } from './bucketing/create-flagd-core.ts'
import { toFlagdConfiguration } from './flag-definition.ts'
import { readRollout, rolloutTargeting } from './rollout-targeting.ts'

const FLAG = 'checkout.new-pricing'
const customers = Array.from({ length: 2000 }, (_, i) => `customer-${i}`)

/** Which customers get `on` at a given rollout, evaluated as every firedrill process evaluates it. */
function onAt(percent: number, keys: readonly string[] = customers): Set<string> {
  const core = createFlagdCore()
  core.setConfigurations(
    toFlagdConfiguration({
      [FLAG]: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: rolloutTargeting(percent),
        metadata: { owner: 'team-checkout', type: 'release', lifecycle: 'active' },
      },
    }),
  )
  return new Set(
    keys.filter((key) => core.resolveBooleanEvaluation(FLAG, false, { targetingKey: key }).value),
  )
}

describe('percentage rollout', () => {
  it('builds flagd fractional targeting', () => {
    expect(rolloutTargeting(5)).toEqual({
      fractional: [
        ['on', 5],
        ['off', 95],
      ],
    })
    expect(rolloutTargeting(2.5, 'new', 'old')).toEqual({
      fractional: [
        ['new', 250],
        ['old', 9750],
      ],
    })
  })

  it.each([
    [5, 0.015],
    [50, 0.035],
  ])('sends about %i%% of targeting keys to on', (percent, tolerance) => {
    const share = onAt(percent).size / customers.length
    expect(share).toBeGreaterThan(percent / 100 - tolerance)
    expect(share).toBeLessThan(percent / 100 + tolerance)
  })

  it('sends every key to on at 100% and none at 0%', () => {
    expect(onAt(100).size).toBe(customers.length)
    expect(onAt(0).size).toBe(0)
  })

  it('keeps each key where it was: the 5% stay on at 50%, the 50% at 100%', () => {
    const five = onAt(5)
    const fifty = onAt(50)
    for (const key of five) expect(fifty.has(key)).toBe(true)
    expect(onAt(5)).toEqual(five)
  })

  it('is monotonic for any two percents (property)', () => {
    const keys = customers.slice(0, 300)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        const highSet = onAt(high, keys)
        for (const key of onAt(low, keys)) if (!highSet.has(key)) return false
        return true
      }),
      { numRuns: 40 },
    )
  })

  it('reads back the percent it was built with (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (basisPoints) => {
        const percent = basisPoints / 100
        expect(readRollout(rolloutTargeting(percent))?.percent).toBeCloseTo(percent, 6)
      }),
    )
  })

  it('refuses a percent outside 0..100', () => {
    expect(() => rolloutTargeting(140)).toThrow(RangeError)
    expect(() => rolloutTargeting(Number.NaN)).toThrow(RangeError)
  })
})
