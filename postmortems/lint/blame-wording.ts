/**
 * Wording that points at people rather than at systems and decisions. Each entry matches whole words,
 * case-insensitively; the lint reports the phrase as written in the document.
 */
export const BLAME_PHRASES: readonly string[] = [
  'fault of',
  'at fault',
  'blame',
  'blamed',
  'blames',
  'blaming',
  'careless',
  'carelessly',
  'carelessness',
  'should have known',
  'should have caught',
  'should have noticed',
  'human error',
  'operator error',
  'negligent',
  'negligence',
  'incompetent',
  'incompetence',
  'his mistake',
  'her mistake',
  'their mistake',
  'failed to notice',
  'dropped the ball',
  'sloppy',
  'reckless',
  'lazy',
  'he forgot',
  'she forgot',
  'they forgot',
  'someone forgot',
  'somebody forgot',
]

/** Verbs that, after a person's name, turn a sentence into blame. */
const BLAME_VERBS = ['forgot', 'ignored', 'neglected', 'messed up', 'screwed up']

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A whole-word, case-insensitive matcher for one phrase, tolerant of any run of spaces between words. */
const matcher = (phrase: string) =>
  new RegExp(
    `(?<![\\p{L}\\p{N}_])${phrase.split(/\s+/).map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}_])`,
    'iu',
  )

/**
 * The blame phrases in `text`: the fixed list, and each of `names` (roster names, first names and handles)
 * followed by a blame verb ("Nikita forgot").
 */
export function findBlameWording(text: string, names: readonly string[] = []): string[] {
  const phrases = [
    ...BLAME_PHRASES,
    ...names.filter((n) => n.trim() !== '').flatMap((n) => BLAME_VERBS.map((v) => `${n} ${v}`)),
  ]
  const found: string[] = []
  for (const phrase of phrases) {
    const match = matcher(phrase).exec(text)
    if (match !== null && !found.some((f) => f.toLowerCase().includes(match[0].toLowerCase())))
      found.push(match[0])
  }
  return found
}
