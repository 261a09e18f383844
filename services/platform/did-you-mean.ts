/**
 * Edit distance between two words (insertions, deletions, substitutions, and swaps of two neighbours each count
 * one), compared case-insensitively.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[s.length]![t.length]!
}

/**
 * The known word a mistyped one most likely meant: the closest within a few edits (one for words of up to three
 * letters, else two or a third of its length), or one that starts with it; undefined when nothing is close.
 * Ties go to the first in `known`.
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (word === '') return undefined
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3))
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(word, name)
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  if (best !== undefined) return best.name
  if (word.length >= 3) return known.find((name) => name.toLowerCase().startsWith(word.toLowerCase()))
  return undefined
}

/** ` Did you mean "seed"?` for a close match, else the empty string: ready to append to a message. */
export function didYouMeanSuffix(
  word: string,
  known: readonly string[],
  show: (match: string) => string = (match) => `"${match}"`,
): string {
  const match = didYouMean(word, known)
  return match === undefined ? '' : ` Did you mean ${show(match)}?`
}
