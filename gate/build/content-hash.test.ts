import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentHash } from './content-hash.ts'

const sha = fc.stringMatching(/^[0-9a-f]{64}$/)
const path = fc.stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,3}$/)
const files = fc.uniqueArray(fc.record({ path, sha256: sha }), { selector: (f) => f.path, maxLength: 20 })

describe('content hash', () => {
  it('does not depend on the order the files come in', () => {
    fc.assert(
      fc.property(
        files.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          expect(contentHash(shuffled)).toBe(contentHash(list))
        },
      ),
    )
  })

  it('changes when any one file changes', () => {
    fc.assert(
      fc.property(
        files.filter((list) => list.length > 0),
        fc.nat(),
        sha,
        (list, at, other) => {
          const i = at % list.length
          const file = list[i] as { path: string; sha256: string }
          fc.pre(other !== file.sha256)
          const edited = list.map((f, j) => (j === i ? { ...f, sha256: other } : f))
          expect(contentHash(edited)).not.toBe(contentHash(list))
        },
      ),
    )
  })

  it('changes when a file is added, removed or renamed', () => {
    fc.assert(
      fc.property(files, path, sha, (list, extra, digest) => {
        fc.pre(!list.some((f) => f.path === extra))
        const added = [...list, { path: extra, sha256: digest }]
        expect(contentHash(added)).not.toBe(contentHash(list))
        if (list.length > 0) {
          const renamed = [{ path: extra, sha256: (list[0] as { sha256: string }).sha256 }, ...list.slice(1)]
          expect(contentHash(renamed)).not.toBe(contentHash(list))
        }
      }),
    )
  })

  it('is the sha256 of the sorted path NUL sha lines', () => {
    const a = { path: 'b.ts', sha256: '1'.repeat(64) }
    const b = { path: 'a.ts', sha256: '2'.repeat(64) }
    // printf 'a.ts\0' + 2×64 + '\n' + 'b.ts\0' + 1×64 + '\n' | sha256sum
    expect(contentHash([a, b])).toBe('4fc2b837620df40ba9e3a72ddbf244c24409672afee3c6f7aa3316cf3f3ff79c')
  })
})
