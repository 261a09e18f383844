import { describe, expect, it } from 'vitest'
import { ManualClock } from './manual-clock.ts'
import { startTicker } from './start-ticker.ts'

describe('ticker', () => {
  it('ticks on the grid of the clock and skips the points a slow tick missed', async () => {
    const clock = new ManualClock(0)
    const at: number[] = []
    const ticker = startTicker(clock, 100, async () => {
      at.push(clock.now())
      if (clock.now() === 100) await clock.sleep(250)
    })
    // Time moves in small steps, letting the asynchronous tick settle in between, as real time would.
    for (let t = 0; t < 600; t += 50) {
      await new Promise((r) => setImmediate(r))
      await clock.advance(50)
    }
    await new Promise((r) => setImmediate(r))
    await ticker.stop()
    expect(at).toEqual([0, 100, 400, 500, 600])
  })

  it('keeps ticking after a failed tick and rethrows the first error on stop', async () => {
    const clock = new ManualClock(0)
    let n = 0
    const ticker = startTicker(clock, 10, () => {
      n++
      if (n <= 2) throw new Error(`tick ${n}`)
    })
    await clock.advance(30)
    expect(n).toBe(4)
    await expect(ticker.stop()).rejects.toThrow('tick 1')
  })
})
