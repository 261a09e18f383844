import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pickTimeScale } from './pick-time-scale.ts'

const MIN = 60_000
const H = 60 * MIN
/** The SRE workbook's paging windows: 1h/5m and 6h/30m. */
const WORKBOOK = [H, 5 * MIN, 6 * H, 30 * MIN]

describe('time scale for a team scraping at its own interval', () => {
  it('at a 1 s scrape interval allows 1/75: the 5m window holds 4 scrapes, the 6h one lasts 4m48s', () => {
    const pick = pickTimeScale({ scrapeIntervalMs: 1000, windowsMs: WORKBOOK })
    expect(pick).toMatchObject({
      ok: true,
      compression: 75,
      timeScale: 1 / 75,
      scaledShortestMs: 4000,
      samplesInShortest: 4,
      scaledLongestMs: 288_000,
    })
    expect(pick.ok && pick.summary).toBe(
      'time scale 1/75: the 5m window lasts 4s (4 scrapes at 1s), the 6h window lasts 4m48s of drill time',
    )
  })

  it('refuses the scale the shop drills at (1/240) for a Prometheus scraping every 1 s: 5m would be 1.25 s', () => {
    const pick = pickTimeScale({ scrapeIntervalMs: 1000, windowsMs: WORKBOOK })
    expect(pick.ok && pick.timeScale).toBeGreaterThan(1 / 240)
  })

  it('refuses, with the numbers, a window shorter than its scrapes even in real time', () => {
    const pick = pickTimeScale({ scrapeIntervalMs: 2 * MIN, windowsMs: WORKBOOK })
    expect(pick).toMatchObject({ ok: false, reason: 'window-too-short', neededTimeScale: 1.6 })
    expect(!pick.ok && pick.message).toBe(
      'The shortest window, 5m, holds 2.5 scrapes at a 2m scrape interval even in real time; it needs 4. ' +
        'Scrape at least every 1m15s, or use windows of at least 8m.',
    )
  })

  it('refuses a scale whose longest window outlasts what a drill may take, and says which interval would do', () => {
    const pick = pickTimeScale({ scrapeIntervalMs: 15_000, windowsMs: WORKBOOK, maxWindowMs: 30 * MIN })
    expect(pick).toMatchObject({ ok: false, reason: 'drill-too-long' })
    expect(!pick.ok && pick.message).toContain('the longest window, 6h, would then last 1h12m, past the 30m')
    expect(!pick.ok && pick.message).toContain('every 6s250ms allows it')
    // The interval it names does allow it.
    expect(pickTimeScale({ scrapeIntervalMs: 6250, windowsMs: WORKBOOK, maxWindowMs: 30 * MIN }).ok).toBe(
      true,
    )
  })

  it('always leaves the shortest window at least minSamples scrapes, and compresses as far as that allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 120_000 }),
        fc.array(fc.integer({ min: 1000, max: 7 * 24 * H }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 10 }),
        (scrapeIntervalMs, windowsMs, minSamples) => {
          const pick = pickTimeScale({
            scrapeIntervalMs,
            windowsMs,
            minSamples,
            maxWindowMs: Number.POSITIVE_INFINITY,
          })
          const shortest = Math.min(...windowsMs)
          if (!pick.ok) {
            expect(shortest).toBeLessThan(minSamples * scrapeIntervalMs)
            return
          }
          expect(pick.scaledShortestMs).toBeGreaterThanOrEqual(minSamples * scrapeIntervalMs)
          // One step faster would leave too few scrapes.
          expect(shortest / (pick.compression + 1)).toBeLessThan(minSamples * scrapeIntervalMs)
        },
      ),
    )
  })
})
