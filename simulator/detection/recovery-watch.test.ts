import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DetectionErrorCode } from './errors.ts'
import { createRecoveryWatch } from './recovery-watch.ts'

describe('recovery watch', () => {
  it('says recovered after N evaluations in a row under the threshold, from the first of them', () => {
    const watch = createRecoveryWatch({ threshold: 0.01, consecutive: 3 })
    const states = [0.5, 0.005, 0.002, 0.2, 0, 0.001, 0.009, 0].map((ratio, i) =>
      watch.observe(ratio, i * 1000),
    )
    expect(states.map((s) => s.recovered)).toEqual([false, false, false, false, false, false, true, true])
    expect(watch.state()).toMatchObject({ streak: 4, healthySince: 4000, recoveredAt: 6000 })
  })

  it('does not count no data as healthy', () => {
    const watch = createRecoveryWatch({ threshold: 0.01, consecutive: 2 })
    watch.observe(0, 0)
    expect(watch.observe(null, 1000)).toMatchObject({ recovered: false, streak: 0, healthySince: null })
    watch.observe(0, 2000)
    expect(watch.observe(0, 3000)).toMatchObject({ recovered: true, healthySince: 2000, recoveredAt: 3000 })
  })

  it('is recovered exactly when the last N ratios were all under the threshold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (ratios, consecutive) => {
          const watch = createRecoveryWatch({ threshold: 0.3, consecutive })
          for (const [i, ratio] of ratios.entries()) {
            const { recovered } = watch.observe(ratio, i)
            const lastN = ratios.slice(0, i + 1).slice(-consecutive)
            expect(recovered).toBe(lastN.length === consecutive && lastN.every((r) => r !== null && r < 0.3))
          }
        },
      ),
    )
  })

  it('refuses a threshold or count it cannot use', () => {
    for (const bad of [
      { threshold: 0, consecutive: 1 },
      { threshold: 0.1, consecutive: 0 },
    ]) {
      expect(() => createRecoveryWatch(bad)).toThrow(
        expect.objectContaining({ code: DetectionErrorCode.OPTIONS_INVALID }),
      )
    }
  })
})
