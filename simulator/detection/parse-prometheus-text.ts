import { PrometheusTextInvalidError } from './errors.ts'

/** One sample line of the exposition format: `name{labels} value [timestamp]`. */
export interface PromSample {
  name: string
  labels: Record<string, string>
  value: number
  timestamp?: number
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y
const SPACES = /[ \t]*/y

/**
 * Parses the Prometheus text exposition format 0.0.4 (what prom-client serves): comments and blank lines are
 * skipped; label values are unescaped (`\\`, `\"`, `\n`); values may be `NaN`, `+Inf`, `-Inf` (in any case).
 * Throws FIREDRILL_PROMETHEUS_TEXT_INVALID naming the line on anything else.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = []
  const lines = text.split('\n')
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    samples.push(parseSampleLine(line, index + 1))
  }
  return samples
}

function parseSampleLine(line: string, lineNumber: number): PromSample {
  let pos = 0
  const fail = (detail: string): never => {
    throw new PrometheusTextInvalidError(lineNumber, `${detail} at column ${pos + 1}`)
  }
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos
    const m = re.exec(line)
    if (m === null) return null
    pos += m[0].length
    return m[0]
  }
  match(SPACES)
  const name = match(NAME) ?? fail('expected a metric name')
  const labels: Record<string, string> = {}
  match(SPACES)
  if (line[pos] === '{') {
    pos++
    for (;;) {
      match(SPACES)
      if (line[pos] === '}') break
      const label = match(LABEL_NAME) ?? fail('expected a label name')
      match(SPACES)
      if (line[pos++] !== '=') fail(`expected "=" after label ${label}`)
      match(SPACES)
      if (line[pos++] !== '"') fail(`expected a quoted value for label ${label}`)
      let value = ''
      for (;;) {
        const ch = line[pos++]
        if (ch === undefined) fail(`unterminated value for label ${label}`)
        if (ch === '"') break
        if (ch === '\\') {
          const escaped = line[pos++]
          if (escaped === 'n') value += '\n'
          else if (escaped === '\\' || escaped === '"') value += escaped
          else fail(`unknown escape in the value of label ${label}`)
        } else value += ch
      }
      labels[label] = value
      match(SPACES)
      if (line[pos] === ',') pos++
      else if (line[pos] !== '}') fail('expected "," or "}" after a label')
    }
    pos++
  }
  const rest = line
    .slice(pos)
    .trim()
    .split(/[ \t]+/)
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') fail('expected a value and an optional timestamp')
  const value = parseValue(rest[0]!) ?? fail(`"${rest[0]}" is not a number`)
  const sample: PromSample = { name, labels, value }
  if (rest[1] !== undefined) {
    const timestamp = Number(rest[1])
    if (!Number.isInteger(timestamp)) fail(`"${rest[1]}" is not a timestamp in ms`)
    sample.timestamp = timestamp
  }
  return sample
}

/** Like Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(token: string): number | null {
  switch (token.toLowerCase()) {
    case 'nan':
      return Number.NaN
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Number.POSITIVE_INFINITY
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY
  }
  const value = Number(token)
  return Number.isNaN(value) ? null : value
}
