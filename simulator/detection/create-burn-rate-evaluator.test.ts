import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import type { BurnRateRule } from '../../record/timings/burn-rate-rule.ts'
import { createBurnRateEvaluator } from './create-burn-rate-evaluator.ts'
import { DetectionErrorCode } from './errors.ts'
import type { SliSample } from './sli-sample.ts'

const rule: BurnRateRule = {
  name: 'FastBurn',
  severity: 'page',
  longWindowMs: 60_000,
  shortWindowMs: 5_000,
  burnRate: 10,
}
// Objective 0.99: the budget is 1%, so 10× is an error ratio above 10%.
const objective = 0.99

/** One sample a second from `start`; `perSecond(i)` gives the requests and bad requests of second i. */
function series(start: number, seconds: number, perSecond: (i: number) => [number, number]): SliSample[] {
  const samples: SliSample[] = [{ t: start, total: 0, bad: 0 }]
  for (let i = 0; i < seconds; i++) {
    const [requests, bad] = perSecond(i)
    const last = samples.at(-1)!
    samples.push({ t: start + (i + 1) * 1000, total: last.total + requests, bad: last.bad + bad })
  }
  return samples
}

function setup(samples: SliSample[], clock: ManualClock) {
  return createBurnRateEvaluator({
    objective,
    rules: [rule],
    evaluationIntervalMs: 1000,
    clock,
    source: { series: () => samples.filter((s) => s.t <= clock.now()) },
  })
}

describe('burn-rate evaluator', () => {
  it('fires only once both windows burn past the rule, and resolves when the short window clears', async () => {
    const clock = new ManualClock()
    const start = clock.now()
    // 60 s clean, 10 s of 100% errors, then clean again.
    const evaluator = setup(
      series(start, 150, (i) => [100, i >= 60 && i < 70 ? 100 : 0]),
      clock,
    )
    const firedAt: number[] = []
    const resolvedAt: number[] = []
    for (let s = 1; s <= 150; s++) {
      await clock.advance(1000)
      evaluator.evaluate()
    }
    for (const event of evaluator.events()) {
      if (event.type === 'firing') firedAt.push((event.at - start) / 1000)
      if (event.type === 'resolved') resolvedAt.push((event.at - start) / 1000)
    }
    // Long window: 100 bad/s out of 6000 requests crosses 10% after 7 s of errors (6 s is exactly 10%).
    expect(firedAt).toEqual([67])
    // The short window is clean from 75 s, while the long one is still above 10% until 130 s: no refire.
    expect(resolvedAt).toEqual([75])

    const firing = evaluator.events().find((e) => e.type === 'firing')!
    if (firing.type !== 'firing') throw new Error('unreachable')
    expect(firing.alert.evidence.long).toMatchObject({ total: 6000, bad: 700, samples: 60 })
    expect(firing.alert.evidence.long.burnRate).toBeCloseTo(700 / 6000 / 0.01)
    expect(firing.alert.evidence.short).toMatchObject({ total: 500, bad: 500, errorRatio: 1 })
    const evaluatedAt100 = evaluator.events().find((e) => e.type === 'evaluated' && e.at === start + 100_000)
    if (evaluatedAt100?.type !== 'evaluated') throw new Error('no evaluation at 100 s')
    expect(evaluatedAt100.rules[0]).toMatchObject({ state: 'ok', conditionMet: false })
    expect(evaluatedAt100.rules[0]!.long.burnRate!).toBeGreaterThan(rule.burnRate)
    expect(evaluator.firing()).toEqual([])
  })

  it('does not fire on a short spike the long window does not confirm', async () => {
    const clock = new ManualClock()
    const evaluator = setup(
      series(clock.now(), 80, (i) => [100, i >= 60 && i < 65 ? 100 : 0]),
      clock,
    )
    let shortBurnedPast = false
    for (let s = 1; s <= 80; s++) {
      await clock.advance(1000)
      const { rules } = evaluator.evaluate()
      shortBurnedPast ||= rules[0]!.short.burnRate! > rule.burnRate
    }
    expect(shortBurnedPast).toBe(true)
    expect(evaluator.events().filter((e) => e.type === 'firing')).toEqual([])
  })

  it('reads a window with too few requests as no data, not as zero errors', async () => {
    const clock = new ManualClock()
    const start = clock.now()
    // 100% errors at 1 request a second: 5 requests per short window, under the 10-request minimum.
    const trickle = setup(
      series(start, 30, () => [1, 1]),
      clock,
    )
    await clock.advance(30_000)
    const { rules } = trickle.evaluate()
    expect(rules[0]).toMatchObject({ state: 'no-data', conditionMet: false })
    expect(rules[0]!.short).toMatchObject({ total: 5, bad: 5, errorRatio: null, burnRate: null })
    expect(trickle.firing()).toEqual([])
  })

  it('keeps a firing alert firing while the traffic is gone, and resolves once clean traffic shows', async () => {
    const clock = new ManualClock()
    const start = clock.now()
    // 10 s of errors, then 30 s with no scrape at all, then clean traffic again.
    const samples = series(start, 10, () => [100, 100])
    const resumed = samples.at(-1)!
    for (let i = 1; i <= 20; i++)
      samples.push({ t: resumed.t + 30_000 + i * 1000, total: resumed.total + i * 100, bad: resumed.bad })
    const evaluator = setup(samples, clock)
    const states: string[] = []
    for (let s = 1; s <= 60; s++) {
      await clock.advance(1000)
      states.push(evaluator.evaluate().rules[0]!.state)
    }
    const types = evaluator
      .events()
      .filter((e) => e.type !== 'evaluated')
      .map((e) => [e.type, (e.at - start) / 1000])
    // The first sample after the gap (41 s) is measured from the last one before it: 100 clean requests.
    expect(types).toEqual([
      ['firing', 1],
      ['resolved', 41],
    ])
    expect(states.slice(15, 40).every((s) => s === 'firing')).toBe(true)
  })

  it('holds a flapping alert as one alert for keep_firing_for, and resolves once it stays clear', async () => {
    const start = new ManualClock().now()
    // 60 s clean, then 30 s where every other 5 s the short window sees 100% errors or none, then clean.
    const flapping = (i: number): [number, number] =>
      i >= 60 && i < 90 && Math.floor((i - 60) / 5) % 2 === 0 ? [100, 100] : [100, 0]
    const run = async (keepFiringForMs: number) => {
      const local = new ManualClock(start)
      const samples = series(start, 150, flapping)
      const evaluator = createBurnRateEvaluator({
        objective,
        rules: [rule],
        evaluationIntervalMs: 1000,
        clock: local,
        source: { series: () => samples.filter((s) => s.t <= local.now()) },
        slo: 'orders-latency',
        keepFiringForMs,
      })
      for (let s = 1; s <= 150; s++) {
        await local.advance(1000)
        evaluator.evaluate()
      }
      return evaluator
        .events()
        .filter((e) => e.type !== 'evaluated')
        .map((e) => [e.type, (e.at - start) / 1000])
    }
    // Without keep_firing_for the alert fires and resolves with every flap: two alerts.
    const bare = await run(0)
    // With it, one alert: held when its condition clears, rearmed when it returns, resolved 8 s after it last cleared.
    const held = await run(8000)
    expect(bare).toEqual([
      ['firing', 72],
      ['resolved', 80],
      ['firing', 81],
      ['resolved', 90],
    ])
    expect(held).toEqual([
      ['firing', 72],
      ['held', 80],
      ['rearmed', 81],
      ['held', 90],
      ['resolved', 98],
    ])
  })

  it('evaluates on its interval of the clock once started', async () => {
    const clock = new ManualClock()
    const start = clock.now()
    const evaluator = setup(
      series(start, 10, () => [100, 0]),
      clock,
    )
    evaluator.start()
    await clock.advance(3000)
    await evaluator.stop()
    expect(evaluator.events().map((e) => e.at - start)).toEqual([0, 1000, 2000, 3000])
  })

  it('refuses rules it cannot evaluate', () => {
    const clock = new ManualClock()
    const valid = {
      objective,
      rules: [rule],
      evaluationIntervalMs: 1000,
      clock,
      source: { series: () => [] },
    }
    for (const bad of [
      { ...valid, objective: 1 },
      { ...valid, evaluationIntervalMs: 0 },
      { ...valid, rules: [rule, rule] },
      { ...valid, rules: [{ ...rule, shortWindowMs: rule.longWindowMs }] },
      { ...valid, rules: [{ ...rule, burnRate: 0 }] },
    ]) {
      expect(() => createBurnRateEvaluator(bad)).toThrow(
        expect.objectContaining({ code: DetectionErrorCode.OPTIONS_INVALID }),
      )
    }
  })
})
