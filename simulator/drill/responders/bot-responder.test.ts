import { describe, expect, it } from 'vitest'
import { MAX_REASON_LENGTH } from '../../../services/flags/flags-schemas.ts'
import { reasonOf } from './bot-responder.ts'

describe("the bot's reason for a change", () => {
  it('gives why and what whole when they fit', () => {
    expect(reasonOf('fast-burn paged: the flag started the burn', 'turning it off')).toBe(
      'fast-burn paged: the flag started the burn; turning it off',
    )
  })

  it('cuts a long hypothesis to what the flag service keeps, and still says what it does', () => {
    const reason = reasonOf(
      `fast-burn paged: ${'the workers call the provider again and again, '.repeat(20)}`,
      'turning it off',
    )
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH)
    expect(reason).toMatch(/^fast-burn paged: the workers call/)
    expect(reason).toMatch(/…; turning it off$/)
  })
})
