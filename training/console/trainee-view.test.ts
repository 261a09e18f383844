import { describe, expect, it } from 'vitest'
import { JournalBuilder } from '../../record/journal/journal-builder.ts'
import type { Page } from '../../simulator/drill/pager.ts'
import { traineeView } from './trainee-view.ts'

const page = {
  alert: 'fast-burn',
  severity: 'page',
  summary: 'SLO orders-availability is burning its error budget at over 14.4×',
  description: 'Error ratio 20 %',
  startsAt: '2026-01-01T12:01:00.000Z',
  alerts: ['fast-burn'],
  slos: ['orders-availability'],
  notification: {
    alerts: [{ annotations: { runbook_url: 'http://127.0.0.1:4000/runbooks/orders-availability' } }],
  },
} as unknown as Page

const flag = {
  key: 'checkout.new-pricing',
  state: 'ENABLED' as const,
  defaultVariant: 'on',
  variants: { on: true, off: false },
  metadata: {
    owner: 'team-checkout',
    type: 'release',
    lifecycle: 'active',
    description: 'Drills plant their bad change behind it.',
  },
  summary: 'on',
}

describe("the trainee's view", () => {
  it('shows a flag by owner, type and lifecycle, never its notes', () => {
    const view = traineeView({
      trainee: 'ana',
      events: new JournalBuilder().started('r').build(),
      page,
      flags: { inventory: [flag], audit: [] },
      objective: 0.99,
    })
    expect(view.flags).toEqual([
      {
        key: flag.key,
        serving: 'on',
        owner: 'team-checkout',
        type: 'release',
        lifecycle: 'active',
        audit: [],
      },
    ])
    expect(JSON.stringify(view)).not.toContain('Drills plant')
  })

  it('links the runbook on the console, and says whether the drill is on, paged or over', () => {
    const events = new JournalBuilder().started('r')
    expect(
      traineeView({ trainee: 'ana', events: events.build(), page: null, flags: null, objective: 0.99 })
        .status,
    ).toBe('preparing')
    events.at(1000).add('traffic.started', { ratePerSecond: 10, seed: 1 })
    expect(
      traineeView({ trainee: 'ana', events: events.build(), page: null, flags: null, objective: 0.99 })
        .status,
    ).toBe('on-call')
    const paged = traineeView({ trainee: 'ana', events: events.build(), page, flags: null, objective: 0.99 })
    expect(paged.status).toBe('paged')
    expect(paged.page?.runbook).toBe('/runbooks/orders-availability')
    // Cleanup begins: the incident is over for the trainee, though a follow-up may still run.
    events.at(9000).add('phase.entered', { phase: 'cleanup' })
    expect(
      traineeView({ trainee: 'ana', events: events.build(), page, flags: null, objective: 0.99 }).status,
    ).toBe('over')
  })

  it('draws availability, rate, error ratio and latency from the traffic intervals', () => {
    const j = new JournalBuilder().started('r')
    j.at(2000).add('traffic.interval', {
      index: 0,
      from: j.iso(1000),
      to: j.iso(2000),
      requests: 40,
      failures: 4,
      dropped: 0,
      byStatus: { '200': 36, '500': 4 },
      latencyP50Ms: 12,
      latencyP99Ms: 80,
    })
    const { dashboards } = traineeView({
      trainee: 'ana',
      events: j.build(),
      page: null,
      flags: null,
      objective: 0.99,
    })
    expect(dashboards).toMatchObject({
      objective: 0.99,
      requestRate: [40],
      errorRatio: [0.1],
      availability: [0.9],
      latencyP50Ms: [12],
      latencyP99Ms: [80],
    })
  })
})
