import { describe, expect, it } from 'vitest'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { intervalSliEvents } from './interval-sli-events.ts'
import { physicalFloorMs, type SliEvent } from './physical-floor.ts'

const rule = { longWindowMs: 10_000, shortWindowMs: 1_000, burnRate: 10 }

/** The journal's 250 ms intervals of requests every `gapMs`, bad from `faultAt` on, and the requests themselves. */
function traffic(untilMs: number, gapMs: number, faultAt: number) {
  const requests: SliEvent[] = []
  for (let t = gapMs / 2; t < untilMs; t += gapMs)
    requests.push({ t, bad: t >= faultAt && Math.round(t / gapMs) % 2 === 0 })
  const intervals: JournalEvent[] = []
  for (let from = 0; from < untilMs; from += 250) {
    const inside = requests.filter((r) => r.t >= from && r.t < from + 250)
    intervals.push({
      seq: intervals.length,
      at: new Date(from + 250).toISOString(),
      type: 'traffic.interval',
      data: {
        index: intervals.length,
        from: new Date(from).toISOString(),
        to: new Date(from + 250).toISOString(),
        requests: inside.length,
        failures: inside.filter((r) => r.bad).length,
        dropped: 0,
        byStatus: {},
        latencyP50Ms: null,
        latencyP99Ms: null,
      },
    } as unknown as JournalEvent)
  }
  return { requests, intervals }
}

describe('SLI events from journalled traffic intervals', () => {
  it('spreads each interval’s requests over it, with its failures among them', () => {
    const { intervals } = traffic(500, 25, 250)
    const events = intervalSliEvents(intervals)
    expect(events).toHaveLength(20)
    expect(events.slice(0, 10).every((e) => !e.bad)).toBe(true)
    expect(events.slice(10).filter((e) => e.bad)).toHaveLength(5)
    expect(events.every((e, i) => i === 0 || e.t > events[i - 1]!.t)).toBe(true)
  })

  it('gives a floor within one interval of the floor of the requests themselves', () => {
    const { requests, intervals } = traffic(40_000, 10, 20_000)
    const options = { rules: [rule], objective: 0.99, dataFrom: 0, from: 20_000, until: 40_000 }
    const exact = physicalFloorMs(requests, options)!
    const approx = physicalFloorMs(intervalSliEvents(intervals), options)!
    expect(exact).toBeGreaterThan(20_000)
    expect(Math.abs(approx - exact)).toBeLessThanOrEqual(250)
  })
})
