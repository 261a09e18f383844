import { describe, expect, it } from 'vitest'
import { ServiceErrorCode } from '../platform/errors.ts'
import { resolveFlagsToken, tokensMatch } from './flags-token.ts'

describe('flags token', () => {
  it('comes from FIREDRILL_FLAGS_TOKEN when set', () => {
    expect(resolveFlagsToken({ FIREDRILL_FLAGS_TOKEN: 's3cret-token' })).toEqual({
      token: 's3cret-token',
      generated: false,
    })
  })

  it('is generated, 32 random bytes in base64url, when unset, and says so', () => {
    const first = resolveFlagsToken({})
    const second = resolveFlagsToken({})
    expect(first.generated).toBe(true)
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(first.token, 'base64url')).toHaveLength(32)
    expect(second.token).not.toBe(first.token)
  })

  it.each(['', '   ', 'two words'])('refuses a set but unusable value (%j)', (value) => {
    expect(() => resolveFlagsToken({ FIREDRILL_FLAGS_TOKEN: value })).toThrow(
      expect.objectContaining({ code: ServiceErrorCode.CONFIG_INVALID }),
    )
  })

  it('matches only the same token', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true)
    expect(tokensMatch('abc', 'abd')).toBe(false)
    expect(tokensMatch('abc', 'abcd')).toBe(false)
    expect(tokensMatch('', 'abc')).toBe(false)
  })
})
