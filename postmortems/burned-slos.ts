import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import type { ValidScenario } from '../record/scenario/parse-scenario.ts'

/** One SLO the drill watched, and the burn-rate rules that fired on it (none: it did not burn). */
export interface SloBurn {
  slo: string
  description: string | null
  objective: number
  fired: string[]
}

/**
 * Which SLOs burned: every SLO detection watched (from `detection.started`, or the scenario's for a journal
 * written before it was recorded) with the rules that fired on it, in order. An alert that names no SLO (an
 * older journal) counts for the first.
 */
export function burnedSlos(events: readonly JournalEvent[], scenario: ValidScenario): SloBurn[] {
  const started = eventsOf(events, 'detection.started')[0]
  const slos: Omit<SloBurn, 'fired'>[] =
    started !== undefined
      ? started.data.slos.map((s) => ({ slo: s.name, description: s.description, objective: s.objective }))
      : scenario.slo.indicators.map((i) => ({
          slo: i.name,
          description: null,
          objective: i.objective ?? scenario.slo.objective,
        }))
  const fired = new Map<string, string[]>(slos.map((s) => [s.slo, []]))
  for (const alert of eventsOf(events, 'alert.fired')) {
    const slo = alert.data.slo ?? slos[0]?.slo
    if (slo === undefined) continue
    const rules = fired.get(slo) ?? []
    if (!rules.includes(alert.data.alert)) rules.push(alert.data.alert)
    fired.set(slo, rules)
  }
  return slos.map((s) => ({ ...s, fired: fired.get(s.slo) ?? [] }))
}

/** In words: "SLO a (…, 99 %) burned: fast-burn, slow-burn fired. SLO b (…) did not burn." */
export function describeBurnedSlos(burns: readonly SloBurn[]): string {
  return burns
    .map((b) => {
      const what = `SLO ${b.slo} (${b.description === null ? '' : `${b.description}, `}${Number((b.objective * 100).toPrecision(10))} %)`
      return b.fired.length > 0 ? `${what} burned: ${b.fired.join(', ')} fired.` : `${what} did not burn.`
    })
    .join(' ')
}
