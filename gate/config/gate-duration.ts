const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const
type Unit = keyof typeof UNIT_MS

/** A step timeout as a gate file writes it: `90s`, `5m`, `1m30s`, `500ms`, units largest first. */
export const GATE_DURATION_PATTERN = '^(?:\\d+(?:ms|s|m|h))+$'
const PART = /(\d+)(ms|s|m|h)/gy
const ORDER: readonly Unit[] = ['h', 'm', 's', 'ms']

/** Parses a gate duration into milliseconds; `undefined` when it is not one (units repeated or out of order). */
export function parseGateDuration(text: string): number | undefined {
  if (!new RegExp(GATE_DURATION_PATTERN).test(text)) return undefined
  let total = 0
  let lastRank = -1
  PART.lastIndex = 0
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    const unit = match[2] as Unit
    const rank = ORDER.indexOf(unit)
    if (rank <= lastRank) return undefined
    lastRank = rank
    total += Number(match[1]) * UNIT_MS[unit]
  }
  return total
}
