import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RecordErrorCode } from '../errors.ts'
import { formatDuration, isDuration, parseDuration, scaleDuration } from './duration.ts'

describe('duration parsing', () => {
  it('reads the windows scenarios use', () => {
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('1.5h')).toBe(5_400_000)
    expect(parseDuration('30d')).toBe(2_592_000_000)
    expect(parseDuration('2w')).toBe(1_209_600_000)
  })

  it.each(['', '5', 'm', '5 m', '-5m', '5M', '30m1h', '5m5m', '1h 30m', '1e3s', '.5h'])(
    'refuses %j with FIREDRILL_DURATION_INVALID',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        expect.objectContaining({ code: RecordErrorCode.DURATION_INVALID }),
      )
      expect(isDuration(text)).toBe(false)
    },
  )

  it('round-trips any whole number of milliseconds through its formatted form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms)
      }),
    )
  })

  it('adds up the parts of a compound duration', () => {
    const units = [
      ['w', 604_800_000],
      ['d', 86_400_000],
      ['h', 3_600_000],
      ['m', 60_000],
      ['s', 1_000],
      ['ms', 1],
    ] as const
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), {
          minLength: 6,
          maxLength: 6,
        }),
        (counts) => {
          const used = units.flatMap(([unit, size], i) =>
            counts[i] === undefined ? [] : [{ unit, size, n: counts[i]! }],
          )
          fc.pre(used.length > 0)
          const text = used.map(({ unit, n }) => `${n}${unit}`).join('')
          expect(parseDuration(text)).toBe(used.reduce((sum, { size, n }) => sum + size * n, 0))
        },
      ),
    )
  })

  it('is monotone: a larger count of the same unit is never a shorter duration', () => {
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.nat(100_000),
        fc.constantFrom('ms', 's', 'm', 'h', 'd'),
        (a, b, unit) => {
          const [low, high] = a <= b ? [a, b] : [b, a]
          expect(parseDuration(`${low}${unit}`)).toBeLessThanOrEqual(parseDuration(`${high}${unit}`))
        },
      ),
    )
  })
})

describe('duration scaling', () => {
  it('turns the workbook windows into drill seconds at timeScale 1/240', () => {
    expect(scaleDuration('1h', 1 / 240)).toBe(15_000)
    expect(scaleDuration('5m', 1 / 240)).toBe(1_250)
    expect(scaleDuration('6h', 1 / 240)).toBe(90_000)
    expect(scaleDuration('30m', 1 / 240)).toBe(7_500)
  })
})
