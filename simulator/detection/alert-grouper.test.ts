import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import { alertFingerprint } from './alert-fingerprint.ts'
import { type AlertGrouper, createAlertGrouper } from './alert-grouper.ts'
import { type AlertmanagerAlert, type AlertmanagerWebhook, ZERO_TIME } from './alertmanager-webhook.ts'
import { DetectionErrorCode } from './errors.ts'

function alert(name: string, slo: string, status: 'firing' | 'resolved', at = 0): AlertmanagerAlert {
  const labels = { alertname: name, severity: 'page', slo }
  return {
    status,
    labels,
    annotations: { summary: `${name} on ${slo}` },
    startsAt: new Date(0).toISOString(),
    endsAt: status === 'firing' ? ZERO_TIME : new Date(at).toISOString(),
    generatorURL: '',
    fingerprint: alertFingerprint(labels),
  }
}

function setup(groupBy: string[] = []) {
  const clock = new ManualClock(0)
  const sent: AlertmanagerWebhook[] = []
  const errors: unknown[] = []
  const grouper: AlertGrouper = createAlertGrouper({
    clock,
    groupBy,
    groupWaitMs: 100,
    groupIntervalMs: 1000,
    repeatIntervalMs: 10_000,
    receiver: 'pager',
    externalURL: 'http://127.0.0.1:1',
    send: async (n) => {
      sent.push(n)
    },
    onError: (err) => errors.push(err),
  })
  const summary = () =>
    sent.map((n) => [clock.now(), n.status, n.alerts.map((a) => `${a.labels.alertname}:${a.status}`)])
  return { clock, sent, errors, grouper, summary }
}

describe('alert grouping', () => {
  it('waits group_wait and sends the alerts that arrived meanwhile as one notification', async () => {
    const { clock, sent, grouper } = setup()
    grouper.put(alert('fast-burn', 'orders-availability', 'firing'))
    await clock.advance(50)
    grouper.put(alert('slow-burn', 'orders-availability', 'firing'))
    expect(sent).toEqual([])
    await clock.advance(50)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      status: 'firing',
      groupKey: '{}:{}',
      commonLabels: { severity: 'page', slo: 'orders-availability' },
    })
    expect(sent[0]!.alerts.map((a) => a.labels.alertname)).toEqual(['fast-burn', 'slow-burn'])
    await grouper.stop()
  })

  it('sends a flapping alert once while it fires, resolved once, and a later alert as a new group', async () => {
    const { clock, sent, grouper } = setup()
    grouper.put(alert('fast-burn', 'a', 'firing'))
    await clock.advance(100)
    // Still firing, the same alert put again at every evaluation: nothing new to say.
    for (let i = 0; i < 5; i++) {
      grouper.put(alert('fast-burn', 'a', 'firing'))
      await clock.advance(1000)
    }
    expect(sent.map((n) => n.status)).toEqual(['firing'])
    grouper.put(alert('fast-burn', 'a', 'resolved', clock.now()))
    await clock.advance(1000)
    expect(sent.map((n) => n.status)).toEqual(['firing', 'resolved'])
    expect(sent[1]!.alerts[0]!.endsAt).not.toBe(ZERO_TIME)
    // The group ended with its last alert resolved: a new one starts a new group, after group_wait again.
    await clock.advance(5000)
    expect(sent).toHaveLength(2)
    grouper.put(alert('fast-burn', 'a', 'firing'))
    await clock.advance(100)
    expect(sent.map((n) => n.status)).toEqual(['firing', 'resolved', 'firing'])
    await grouper.stop()
  })

  it('repeats an unchanged firing group after repeat_interval', async () => {
    const { clock, sent, grouper } = setup()
    grouper.put(alert('fast-burn', 'a', 'firing'))
    await clock.advance(100)
    await clock.advance(9000)
    expect(sent).toHaveLength(1)
    await clock.advance(1000)
    expect(sent).toHaveLength(2)
    expect(sent[1]!.status).toBe('firing')
    await grouper.stop()
  })

  it('splits groups by the groupBy labels', async () => {
    const { clock, sent, grouper } = setup(['slo'])
    grouper.put(alert('fast-burn', 'orders-availability', 'firing'))
    grouper.put(alert('fast-burn', 'orders-latency', 'firing'))
    await clock.advance(100)
    expect(sent.map((n) => n.groupKey).sort()).toEqual([
      '{}:{slo="orders-availability"}',
      '{}:{slo="orders-latency"}',
    ])
    await grouper.stop()
  })

  it('sends nothing after stop', async () => {
    const { clock, sent, grouper } = setup()
    grouper.put(alert('fast-burn', 'a', 'firing'))
    await grouper.stop()
    await clock.advance(1000)
    grouper.put(alert('slow-burn', 'a', 'firing'))
    await clock.advance(1000)
    expect(sent).toEqual([])
  })

  it('refuses negative timings', () => {
    const options = {
      clock: new ManualClock(0),
      groupBy: [],
      groupWaitMs: -1,
      groupIntervalMs: 1,
      repeatIntervalMs: 1,
      receiver: 'r',
      externalURL: 'http://x',
      send: async () => {},
      onError: () => {},
    }
    expect(() => createAlertGrouper(options)).toThrow(
      expect.objectContaining({ code: DetectionErrorCode.OPTIONS_INVALID }),
    )
  })
})
