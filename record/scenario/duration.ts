import { DurationInvalidError } from '../errors.ts'

const UNIT_MS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const
type Unit = keyof typeof UNIT_MS
const UNITS_DESCENDING = Object.keys(UNIT_MS) as Unit[]

/** A duration string as scenario files write it: one or more `<number><unit>` parts, largest unit first. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d|w))+$'
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy

/**
 * Parses `250ms`, `5m`, `1h30m`, `1.5h`, `30d` into milliseconds. Units must not repeat and must go from
 * largest to smallest, as Prometheus and Go write them. Throws `FIREDRILL_DURATION_INVALID` otherwise.
 */
export function parseDuration(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) throw new DurationInvalidError(text)
  let total = 0
  let lastRank = -1
  PART.lastIndex = 0
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    const unit = match[2] as Unit
    const rank = UNITS_DESCENDING.indexOf(unit)
    if (rank <= lastRank) throw new DurationInvalidError(text)
    lastRank = rank
    total += Number(match[1]) * UNIT_MS[unit]
  }
  return Math.round(total)
}

/** Whether `text` parses as a duration; for validators that report rather than throw. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text)
    return true
  } catch {
    return false
  }
}

/** Writes whole milliseconds back as the shortest exact duration string (`5400000` → `1h30m`; `0` → `0ms`). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0)
    throw new RangeError(`formatDuration needs whole non-negative ms (got ${ms})`)
  if (ms === 0) return '0ms'
  let rest = ms
  let out = ''
  for (const unit of UNITS_DESCENDING) {
    const size = UNIT_MS[unit]
    const count = Math.floor(rest / size)
    if (count > 0) {
      out += `${count}${unit}`
      rest -= count * size
    }
  }
  return out
}

/**
 * A scenario duration in wall-clock milliseconds: the SRE workbook's windows are stated in real-world time
 * (`1h`, `30d`) and the drill runs them `timeScale` times faster, so `1h` at timeScale 1/240 is 15 s.
 */
export function scaleDuration(text: string, timeScale: number): number {
  return Math.max(1, Math.round(parseDuration(text) * timeScale))
}
