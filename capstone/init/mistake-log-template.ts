/** The capstone's mistake log, in the clinic's columns. */
export const MISTAKE_LOG_FILE = 'MISTAKES.md'

/** The columns of a mistake log row, in order. */
export const MISTAKE_LOG_COLUMNS = [
  'date',
  'mistake',
  'symptom',
  'root cause',
  'repair evidence',
  'retrieval card',
] as const

export function mistakeLogTemplate(): string {
  return `# Mistake log

One row per real mistake you made during the capstone, in the clinic's columns. Write the mistake as a decision
(what you chose, not who you are), the symptom as what you saw, and the retrieval card as the one question you will
ask yourself before the same decision next time.

Repair evidence links what proves the repair: a failing test or a counterexample with the commit that adds it
(\`test services/api/pricing/x.test.ts in 1a2b3c4\`), a commit that changes code (\`code: 1a2b3c4\`), a changed
command (\`command: …\`) or a changed design decision (\`design: …\`). \`firedrill grade\` reads this table.

| ${MISTAKE_LOG_COLUMNS.join(' | ')} |
|${MISTAKE_LOG_COLUMNS.map(() => '---').join('|')}|
`
}
