import { eventsOf, type JournalEvent } from '../journal/journal-event.ts'

/** One SLO's events over the drill, from the scrapes detection journalled (`sli.sampled`). */
export interface SloImpact {
  slo: string
  sli: string
  description: string
  total: number
  bad: number
}

/** Every SLO detection watched, with its good and bad events between its first and last scrape. */
export function sloImpactsOf(events: readonly JournalEvent[]): SloImpact[] {
  const started = eventsOf(events, 'detection.started')[0]
  const samples = eventsOf(events, 'sli.sampled')
  const first = samples[0]
  const last = samples.at(-1)
  if (started === undefined || first === undefined || last === undefined) return []
  return started.data.slos.map((s) => {
    const a = first.data.slis[s.name] ?? { total: 0, bad: 0 }
    const b = last.data.slis[s.name] ?? { total: 0, bad: 0 }
    return {
      slo: s.name,
      sli: s.sli,
      description: s.description,
      total: b.total - a.total,
      bad: b.bad - a.bad,
    }
  })
}
