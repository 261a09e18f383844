/** One kind of secret the scan looks for. `group` is the capture holding the secret itself (0: the whole match). */
export interface SecretRule {
  readonly id: string
  readonly description: string
  readonly pattern: RegExp
  readonly group: number
  /** Extra test on the captured secret, to keep placeholders out. */
  readonly accept?: (secret: string) => boolean
}

const looksRandom = (s: string) => /[A-Za-z]/.test(s) && /\d/.test(s)

/** A line carrying this comment is never reported: for test fixtures and documented examples. */
export const ALLOW_SECRET_MARKER = 'firedrill:allow-secret'

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    description: 'a private key block',
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/,
    group: 0,
  },
  {
    id: 'aws-access-key-id',
    description: 'an AWS access key id',
    pattern: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/,
    group: 1,
  },
  {
    id: 'slack-token',
    description: 'a Slack token',
    pattern: /\b(xox[baprs]-[A-Za-z0-9-]{10,})/,
    group: 1,
  },
  {
    id: 'github-token',
    description: 'a GitHub token',
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,255})\b/,
    group: 1,
  },
  {
    id: 'password-assignment',
    description: 'a password written into the code',
    pattern: /password\s*[:=]\s*['"]([^'"\s]{6,})['"]/i,
    group: 1,
  },
  {
    id: 'generic-secret-assignment',
    description: 'a secret, token or API key written into the code',
    pattern: /(?:secret|token|api[_-]?key)\w*['"]?\s*[:=]\s*['"]([A-Za-z0-9_-]{16,})['"]/i,
    group: 1,
    // Words joined by dashes (`test-token-for-flag-flips`) are names, not keys: a key mixes letters and digits.
    accept: looksRandom,
  },
]

/** What a report may show of a secret: its first four characters and its length, never the rest. */
export function maskSecret(secret: string): string {
  if (secret.startsWith('-----BEGIN')) return secret
  return `${secret.slice(0, 4)}${'*'.repeat(Math.min(12, Math.max(4, secret.length - 4)))} (${secret.length} chars)`
}

export interface SecretFinding {
  file: string
  line: number
  rule: string
  masked: string
}

/** Every secret in one file's text, one finding per line and rule, skipping allow-listed lines. */
export function findSecrets(file: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = []
  const lines = text.split('\n')
  lines.forEach((line, i) => {
    if (line.includes(ALLOW_SECRET_MARKER)) return
    for (const rule of SECRET_RULES) {
      const match = rule.pattern.exec(line)
      if (match === null) continue
      const secret = match[rule.group] ?? match[0]
      if (rule.accept !== undefined && !rule.accept(secret)) continue
      findings.push({ file, line: i + 1, rule: rule.id, masked: maskSecret(secret) })
    }
  })
  return findings
}
