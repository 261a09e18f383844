import { lintSource } from '@secretlint/core'
import { creator as patternRule } from '@secretlint/secretlint-rule-pattern'
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend'

/** A line carrying this comment is never reported: for test fixtures and documented examples. */
export const ALLOW_SECRET_MARKER = 'firedrill:allow-secret'

type CoreConfig = Parameters<typeof lintSource>[0]['options']['config']

/** Characters a value may not start with: references to a variable or a template, not a secret. */
const NOT_A_REFERENCE = String.raw`(?!process\.env|\$|%|\{|<|\*{3})`

/**
 * What secretlint's maintained rules leave to configuration, as firedrill's own patterns (each named; the range
 * each matches is the secret alone, so the report masks exactly that).
 */
export const FIREDRILL_SECRET_PATTERNS = [
  {
    // secretlint's private-key rule wants a long key body; an Ed25519 key is only 64 characters.
    name: 'private-key-block',
    patterns: ['/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/'],
  },
  {
    // The second line of a leaked key pair, on its own line: 40 base64 characters mixing cases and digits.
    name: 'aws-secret-access-key-alone',
    patterns: [
      String.raw`/(?<=^[ \t]*["']?)(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?=["']?[ \t]*\r?$)/m`,
    ],
  },
  {
    // DB_PASSWORD=…, SMTP_PASSWD: "…" (environment files, compose files, shell)
    name: 'password-variable',
    patterns: [
      String.raw`/(?<=\b[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD)[A-Z0-9_]*[ \t]*[:=][ \t]*["']?)${NOT_A_REFERENCE}(?![A-Z][A-Z0-9_]*(?:["'\s]|$))[^\s"'#,;)}]{4,}/m`,
    ],
  },
  {
    // password: "hunter22" / password = 'hunter22' in code firedrill:allow-secret
    name: 'password-assignment',
    patterns: [String.raw`/(?<=password["']?\s*[:=]\s*["'])${NOT_A_REFERENCE}[^"'\s]{6,}(?=["'])/i`],
  },
  {
    // API_TOKEN=…, clientSecret: '…': a random-looking value (letters and digits) under a secret-ish name
    name: 'secret-assignment',
    patterns: [
      String.raw`/(?<=(?:secret|token|api[_-]?key|access[_-]?key)\w*["']?[ \t]*[:=][ \t]*["']?)${NOT_A_REFERENCE}(?=[A-Za-z0-9_\-]{0,200}[0-9])(?=[A-Za-z0-9_\-]{0,200}[A-Za-z])[A-Za-z0-9_\-]{16,}/i`,
    ],
  },
  {
    // postgresql://user:pass@host/db, redis://:pass@host, amqp://…: credentials inside any URL firedrill:allow-secret
    name: 'url-credentials',
    patterns: [
      String.raw`/\b[a-z][a-z0-9+.\-]*:\/\/[^\s:@\/"'<>]*:${NOT_A_REFERENCE}[^\s@\/"'<>]{3,}@[^\s\/"'<>]+/i`,
    ],
  },
] as const

/**
 * secretlint's recommended rules (AWS, GCP, GitHub, Slack, private keys, basic auth, database connection
 * strings and more), with AWS access key ids turned on and secretlint's own disable comments turned off (a
 * change must not switch the scan off for a whole file; firedrill's allow marker works line by line), plus
 * firedrill's patterns for what those rules leave out.
 */
export const SECRET_SCAN_CONFIG: CoreConfig = {
  rules: [
    ...recommendedRules
      .filter((rule) => rule.meta.id !== '@secretlint/secretlint-rule-filter-comments')
      .map((rule) => ({
        id: rule.meta.id,
        rule,
        options: rule.meta.id === '@secretlint/secretlint-rule-aws' ? { enableIDScanRule: true } : {},
      })),
    {
      id: '@secretlint/secretlint-rule-pattern',
      rule: patternRule as unknown as CoreConfig['rules'][number]['rule'],
      options: {
        patterns: FIREDRILL_SECRET_PATTERNS.map((p) => ({ name: p.name, patterns: [...p.patterns] })),
      },
    },
  ],
} as CoreConfig

/** What a report may show of a secret: its first four characters and its length, never the rest. */
export function maskSecret(secret: string): string {
  if (secret.startsWith('-----BEGIN')) return secret.split('\n')[0]!
  return `${secret.slice(0, 4)}${'*'.repeat(Math.min(12, Math.max(4, secret.length - 4)))} (${secret.length} chars)`
}

export interface SecretFinding {
  file: string
  line: number
  /** `aws/AWSSecretAccessKey`, `firedrill/url-credentials`: the rule and what it found. */
  rule: string
  masked: string
}

function ruleName(ruleId: string, messageId: string, message: string): string {
  if (ruleId === '@secretlint/secretlint-rule-pattern') {
    // "found matching <name>: <the secret>": only the name is kept.
    const name = FIREDRILL_SECRET_PATTERNS.find((p) => message.startsWith(`found matching ${p.name}:`))?.name
    return `firedrill/${name ?? 'pattern'}`
  }
  return `${ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}/${messageId}`
}

/**
 * Every secret in one file's text, at most one finding per overlapping range, skipping lines that carry the
 * allow marker. Findings name the rule and show the secret masked; secretlint's own messages, which quote the
 * secret, never leave this function.
 */
export async function findSecrets(file: string, text: string): Promise<SecretFinding[]> {
  const result = await lintSource({
    source: { content: text, filePath: file, contentType: 'text' },
    options: { config: SECRET_SCAN_CONFIG, maskSecrets: false, noPhysicFilePath: true },
  })
  const lineStarts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  const lineOf = (offset: number) => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const lines = text.split('\n')
  const taken: (readonly [number, number])[] = []
  const findings: SecretFinding[] = []
  const messages = [...result.messages].sort((a, b) => a.range[0] - b.range[0] || b.range[1] - a.range[1])
  for (const message of messages) {
    const [start, end] = message.range
    const index = lineOf(start)
    if (lines[index]?.includes(ALLOW_SECRET_MARKER)) continue
    if (taken.some(([s, e]) => start < e && s < end)) continue
    taken.push([start, end])
    findings.push({
      file,
      line: index + 1,
      rule: ruleName(message.ruleId, message.messageId, message.message),
      masked: maskSecret(text.slice(start, end)),
    })
  }
  return findings
}
