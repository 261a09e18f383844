import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { didYouMean, editDistance } from './did-you-mean.ts'

describe('did you mean', () => {
  it('finds the word one slip away: a letter missing, extra, wrong or two swapped', () => {
    const known = ['seed', 'scenario', 'responder', 'timeScale']
    expect(didYouMean('sed', known)).toBe('seed')
    expect(didYouMean('seeed', known)).toBe('seed')
    expect(didYouMean('scenaro', known)).toBe('scenario')
    expect(didYouMean('respodner', known)).toBe('responder')
    expect(didYouMean('timescale', known)).toBe('timeScale')
  })

  it('says nothing when no word is close', () => {
    expect(didYouMean('bogus', ['api', 'workers', 'port'])).toBeUndefined()
    expect(didYouMean('', ['api'])).toBeUndefined()
  })

  it('always suggests a known word one edit away from itself', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{4,12}$/), fc.nat(), (word, at) => {
        const i = at % word.length
        const typo = word.slice(0, i) + word.slice(i + 1)
        expect(editDistance(typo, word)).toBe(1)
        expect(didYouMean(typo, ['zzzzzzzzzzzzzz', word])).toBe(word)
      }),
    )
  })
})
