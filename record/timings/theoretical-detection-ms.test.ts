import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBurnRateEvaluator } from '../../simulator/detection/create-burn-rate-evaluator.ts'
import type { SliSample } from '../../simulator/detection/sli-sample.ts'
import { ManualClock } from '../clock/manual-clock.ts'
import { type BurnRateRule, workbookPageRules } from './burn-rate-rule.ts'
import { theoreticalDetectionMs } from './theoretical-detection-ms.ts'

const [fast, slow] = workbookPageRules(1) as [BurnRateRule, BurnRateRule]
const intervals = { scrapeIntervalMs: 15_000, evaluationIntervalMs: 15_000 }

describe('theoretical detection time', () => {
  it('gives the SRE workbook answers', () => {
    // 100% errors against a 99.9% SLO: 14.4 × 0.1% × 1 h = 51.84 s, plus a scrape and an evaluation.
    expect(theoreticalDetectionMs({ errorRatio: 1, objective: 0.999, rule: fast, ...intervals })).toBeCloseTo(
      81_840,
    )
    // 6× over 6 h at 10% errors: 6 × 0.1% × 6 h / 0.1 = 21.6 min.
    expect(
      theoreticalDetectionMs({ errorRatio: 0.1, objective: 0.999, rule: slow, ...intervals }),
    ).toBeCloseTo(1_296_000 + 30_000)
    // Scaled by 240, the fast rule's hour is 15 s: 216 ms at 100% errors.
    const [scaled] = workbookPageRules(240)
    expect(
      theoreticalDetectionMs({
        errorRatio: 1,
        objective: 0.999,
        rule: scaled!,
        scrapeIntervalMs: 0,
        evaluationIntervalMs: 0,
      }),
    ).toBeCloseTo(216)
  })

  it('accounts for windows that hold less clean history than their length', () => {
    const rule: BurnRateRule = {
      name: 'fast-burn',
      severity: 'page',
      longWindowMs: 15_000,
      shortWindowMs: 1_250,
      burnRate: 14.4,
    }
    const base = { errorRatio: 0.3, objective: 0.99, rule, scrapeIntervalMs: 0, evaluationIntervalMs: 0 }
    // Full windows: 14.4% × 15 s / 30% = 7.2 s.
    expect(theoreticalDetectionMs(base)).toBeCloseTo(7_200)
    // Only 5 s of clean traffic before the fault: 0.3·t/(5 s + t) reaches 14.4% at t = 14.4% × 5 s / 15.6%.
    expect(theoreticalDetectionMs({ ...base, cleanHistoryMs: 5_000 })).toBeCloseTo((0.144 * 5_000) / 0.156)
    // More history than the window: the same as full windows.
    expect(theoreticalDetectionMs({ ...base, cleanHistoryMs: 60_000 })).toBeCloseTo(7_200)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 30_000 }), (h1, h2) => {
        const a = theoreticalDetectionMs({ ...base, cleanHistoryMs: Math.min(h1, h2) })
        const b = theoreticalDetectionMs({ ...base, cleanHistoryMs: Math.max(h1, h2) })
        expect(a).toBeLessThanOrEqual(b + 1e-9)
      }),
    )
  })

  it('never fires at or under the threshold ratio', () => {
    for (const errorRatio of [0, 0.01, 0.0144]) {
      expect(theoreticalDetectionMs({ errorRatio, objective: 0.999, rule: fast, ...intervals })).toBe(
        Number.POSITIVE_INFINITY,
      )
    }
    // 14.4 × 10% budget is over 100%: a 90% SLO can never page on this rule.
    expect(theoreticalDetectionMs({ errorRatio: 1, objective: 0.9, rule: fast, ...intervals })).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('is monotone: more errors are never detected later', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0.9, 0.99, 0.995, 0.999, 0.9999),
        fc.constantFrom(fast, slow),
        (a, b, objective, rule) => {
          const [low, high] = a <= b ? [a, b] : [b, a]
          const at = (errorRatio: number) =>
            theoreticalDetectionMs({ errorRatio, objective, rule, ...intervals })
          expect(at(high)).toBeLessThanOrEqual(at(low))
          expect(at(high)).toBeGreaterThanOrEqual(intervals.scrapeIntervalMs + intervals.evaluationIntervalMs)
        },
      ),
    )
  })

  it('bounds what the evaluator does on a constant error ratio after clean traffic', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 10, max: 60 }),
        async (errorRatio, longSeconds) => {
          const rule: BurnRateRule = {
            name: 'Burn',
            severity: 'page',
            longWindowMs: longSeconds * 1000,
            shortWindowMs: 5000,
            burnRate: 4,
          }
          const objective = 0.99 // threshold ratio 4%
          const clock = new ManualClock()
          const start = clock.now()
          const faultAt = start + longSeconds * 1000
          // One sample a second (scrape interval 1 s), 100 requests a second, errors from faultAt on.
          const samples: SliSample[] = [{ t: start, total: 0, bad: 0 }]
          for (let i = 1; i <= longSeconds * 3; i++) {
            const last = samples.at(-1)!
            const bad = start + i * 1000 > faultAt ? 100 * errorRatio : 0
            samples.push({ t: start + i * 1000, total: last.total + 100, bad: last.bad + bad })
          }
          const evaluator = createBurnRateEvaluator({
            objective,
            rules: [rule],
            evaluationIntervalMs: 1000,
            clock,
            source: { series: () => samples.filter((s) => s.t <= clock.now()) },
          })
          for (let i = 1; i <= longSeconds * 3 && evaluator.firing().length === 0; i++) {
            await clock.advance(1000)
            evaluator.evaluate()
          }
          const theory = theoreticalDetectionMs({
            errorRatio,
            objective,
            rule,
            scrapeIntervalMs: 1000,
            evaluationIntervalMs: 1000,
          })
          const fired = evaluator.events().find((e) => e.type === 'firing')
          expect(fired).toBeDefined()
          const took = fired!.at - faultAt
          expect(took).toBeLessThanOrEqual(theory + 1e-6)
          expect(took).toBeGreaterThanOrEqual(theory - 2000 - 1e-6)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses an error ratio outside 0..1', () => {
    expect(() =>
      theoreticalDetectionMs({ errorRatio: 1.2, objective: 0.999, rule: fast, ...intervals }),
    ).toThrow(RangeError)
  })
})
