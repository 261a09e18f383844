/** One event an SLI counts, at the moment it happened: a request answered, an order settled. */
export interface SliEvent {
  t: number
  bad: boolean
}

export interface FloorRule {
  longWindowMs: number
  shortWindowMs: number
  burnRate: number
}

export interface FloorOptions {
  rules: readonly FloorRule[]
  objective: number
  /** When the detector's data starts (its first scrape): a window reaches no further back. */
  dataFrom: number
  /** Look from here (the step that made the fault detectable) … */
  from: number
  /** … to here. */
  until: number
  /** A window with fewer events is no data, as the detector reads it. @defaultValue 10 */
  minEvents?: number
  /** @defaultValue 1 */
  resolutionMs?: number
}

/**
 * The physical floor of detection: the first instant in [from, until] at which some rule's burn condition
 * holds on the events as they happened, with no scrape or evaluation in between: over both its windows
 * (reaching back no further than `dataFrom`), bad / total > burnRate × (1 − objective), each window holding at
 * least `minEvents`. No detector that samples counters can fire sooner. Null when it never holds.
 */
export function physicalFloorMs(events: readonly SliEvent[], options: FloorOptions): number | null {
  const sorted = [...events].sort((a, b) => a.t - b.t)
  const times = sorted.map((e) => e.t)
  const badBefore = [0]
  for (const e of sorted) badBefore.push(badBefore.at(-1)! + (e.bad ? 1 : 0))
  // Events with t <= at: the index just past the last one.
  const upTo = (at: number) => {
    let lo = 0
    let hi = times.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (times[mid]! <= at) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const minEvents = options.minEvents ?? 10
  const step = options.resolutionMs ?? 1
  const burns = (at: number, windowMs: number, threshold: number) => {
    const start = Math.max(at - windowMs, options.dataFrom)
    const a = upTo(start)
    const b = upTo(at)
    const total = b - a
    if (total < minEvents) return false
    return (badBefore[b]! - badBefore[a]!) / total > threshold
  }
  for (let at = options.from; at <= options.until; at += step) {
    for (const rule of options.rules) {
      const threshold = rule.burnRate * (1 - options.objective)
      if (burns(at, rule.longWindowMs, threshold) && burns(at, rule.shortWindowMs, threshold)) return at
    }
  }
  return null
}
