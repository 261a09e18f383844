import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after.ts'

describe('Retry-After parsing', () => {
  const now = Date.parse('2030-01-01T00:00:00Z')

  it('reads delay-seconds as milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), now)).toBe(seconds * 1000)
      }),
    )
  })

  it('reads an HTTP-date as the time left until it, never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 }), (offsetSeconds) => {
        const header = new Date(now + offsetSeconds * 1000).toUTCString()
        expect(parseRetryAfter(header, now)).toBe(Math.max(0, offsetSeconds * 1000))
      }),
    )
  })

  it('ignores a missing or malformed header instead of guessing', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\s*\d+\s*$/.test(s) && Number.isNaN(Date.parse(s.trim()))),
        (junk) => {
          expect(parseRetryAfter(junk, now)).toBeUndefined()
        },
      ),
    )
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('1.5', now)).toBeUndefined()
  })
})
