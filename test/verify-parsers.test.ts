import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isTestFile } from '../gate/verify/is-test-file.ts'
import { refsTrailerIds } from '../gate/verify/refs-trailer.ts'

const id = fc.integer({ min: 1, max: 10_000 }).map((n) => `AI-${n}`)
const other = fc.constantFrom('https://tracker/T-12', '#42', 'JIRA-7', 'ai-3', 'AI-', 'AI-1x')
const sep = fc.constantFrom(',', ', ', ' ,', ',  ', ' ')

describe('Refs trailer values', () => {
  it('yield exactly the AI-n ids given, once each, in order, whatever the separators and other refs', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(id, other), { maxLength: 8 }), sep, (refs, s) => {
        const expected = [...new Set(refs.filter((r) => /^AI-\d+$/.test(r)))]
        expect(refsTrailerIds(refs.join(s))).toEqual(expected)
      }),
    )
  })

  it('never take AI-1 from AI-10 or AI-1x', () => {
    expect(refsTrailerIds('AI-10,AI-1x')).toEqual(['AI-10'])
  })
})

describe('test files left out of the replay', () => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/)
  it('are any file under test/ or __tests__/, at any depth', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 3 }),
        fc.constantFrom('test', '__tests__'),
        segment,
        (pre, dir, name) => {
          expect(isTestFile([...pre, dir, `${name}.ts`].join('/'))).toBe(true)
        },
      ),
    )
  })

  it('are *.test.* and *.spec.* files anywhere; other source files are code', () => {
    fc.assert(
      fc.property(
        fc.array(
          segment.filter((s) => s !== 'test'),
          { maxLength: 3 },
        ),
        segment,
        (dirs, name) => {
          const at = (file: string) => [...dirs, file].join('/')
          expect(isTestFile(at(`${name}.test.ts`))).toBe(true)
          expect(isTestFile(at(`${name}.spec.mjs`))).toBe(true)
          expect(isTestFile(at(`${name}.ts`))).toBe(false)
          expect(isTestFile(at(`${name}.testing.ts`))).toBe(false)
        },
      ),
    )
    expect(isTestFile('services/testimony/quote.ts')).toBe(false)
  })
})
