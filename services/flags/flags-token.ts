import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { ConfigInvalidError } from '../platform/errors.ts'

export const FLAGS_TOKEN_ENV = 'FIREDRILL_FLAGS_TOKEN'

export interface FlagsToken {
  token: string
  /** True when no token was configured and this one was made now: print it once, so someone can flip flags. */
  generated: boolean
}

/**
 * The bearer token that flag changes need: `FIREDRILL_FLAGS_TOKEN`, else 32 random bytes, base64url.
 * A variable that is set but blank, or holds whitespace, is refused rather than replaced.
 */
export function resolveFlagsToken(env: NodeJS.ProcessEnv = process.env): FlagsToken {
  const given = env[FLAGS_TOKEN_ENV]
  if (given === undefined) return { token: randomBytes(32).toString('base64url'), generated: true }
  if (given.trim() === '' || /\s/.test(given))
    throw new ConfigInvalidError(
      `${FLAGS_TOKEN_ENV} is set but ${given.trim() === '' ? 'empty' : 'holds whitespace'}. ` +
        'Set it to the token flag changes must carry, or unset it to have one generated at start.',
    )
  return { token: given, generated: false }
}

/** Compares two tokens in time that does not depend on where they differ (or on their lengths). */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/**
 * Judges an `Authorization` header against the token a service expects: `ok`, `wrong` (a bearer token, not this
 * one) or `missing` (no bearer token at all), in time that does not depend on where a wrong token differs.
 */
export function judgeBearer(header: string | undefined, expected: string): 'ok' | 'wrong' | 'missing' {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1]
  if (given === undefined) return 'missing'
  return tokensMatch(given, expected) ? 'ok' : 'wrong'
}
