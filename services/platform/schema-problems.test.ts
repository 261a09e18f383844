import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fieldPath, quoteValue } from './schema-problems.ts'

describe('field paths in scenario errors', () => {
  it('reads JSON pointers the way a YAML author writes the field', () => {
    expect(fieldPath('')).toBe('(root)')
    expect(fieldPath('/release/steps/2/percent')).toBe('release.steps[2].percent')
    expect(fieldPath('/detection/rules/0/name')).toBe('detection.rules[0].name')
    expect(fieldPath('/a~1b/c~0d')).toBe('["a/b"]["c~d"]')
  })

  it('gives one segment per pointer segment, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(50), fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/)), {
          minLength: 1,
          maxLength: 6,
        }),
        (parts) => {
          const path = fieldPath(`/${parts.join('/')}`)
          const expected = parts
            .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
            .join('')
          expect(path).toBe(expected)
        },
      ),
    )
  })

  it('quotes values briefly and says nothing for a missing one', () => {
    expect(quoteValue(undefined)).toBe('nothing')
    expect(quoteValue(140)).toBe('140')
    expect(quoteValue('x'.repeat(100))).toHaveLength(60)
  })
})
