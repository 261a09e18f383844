import { formatSelector } from '../series-selector.ts'
import type { SliEvents } from '../sli-definition.ts'

/** `sum(rate(<selector>[<window>]))` for one of an SLI's counters. */
const rateOf = (selector: Parameters<typeof formatSelector>[0], window: string) =>
  `sum(rate(${formatSelector(selector)}[${window}]))`

/**
 * The SLI's error ratio over `window` in PromQL: bad over total, or 1 − good over total. `window` is a
 * Prometheus duration (`5m`, `1s250ms`) or sloth's `{{.window}}` placeholder.
 */
export function errorRatioExpr(events: SliEvents, window: string): string {
  const total = rateOf(events.total, window)
  return 'bad' in events
    ? `${rateOf(events.bad, window)}\n/\n${total}`
    : `1 - (\n  ${rateOf(events.good, window)}\n  /\n  ${total}\n)`
}

/** The bad events' rate over `window` in PromQL (bad, or total − good): sloth's `error_query`. */
export function errorRateExpr(events: SliEvents, window: string): string {
  return 'bad' in events
    ? rateOf(events.bad, window)
    : `${rateOf(events.total, window)} - ${rateOf(events.good, window)}`
}

/** Every event's rate over `window`: sloth's `total_query`. */
export function totalRateExpr(events: SliEvents, window: string): string {
  return rateOf(events.total, window)
}

/** A window as Prometheus writes a duration, from whole milliseconds: `1h`, `5m`, `15s`, `1s250ms`. */
export function promDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ]
  let rest = Math.round(ms)
  let out = ''
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size)
    if (count > 0) {
      out += `${count}${unit}`
      rest -= count * size
    }
  }
  return out === '' ? '0s' : out
}
