import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../record/clock/manual-clock.ts'
import { DrillPause } from './drill-pause.ts'

const settle = () => new Promise((r) => setImmediate(r))

describe("the facilitator's pause", () => {
  it('holds a sleep while paused and lets it run what was left after the resume', async () => {
    const base = new ManualClock()
    const pause = new DrillPause(base)
    let woke = false
    void pause.clock.sleep(1000).then(() => {
      woke = true
    })
    await base.advance(400)
    pause.pause()
    await settle()
    await base.advance(5000)
    expect(woke).toBe(false)
    expect(pause.resume()).toBe(5000)
    await settle()
    await base.advance(599)
    expect(woke).toBe(false)
    await base.advance(1)
    expect(woke).toBe(true)
  })

  it('holds even a zero-length sleep while paused (the next release step waits for the resume)', async () => {
    const pause = new DrillPause(new ManualClock())
    pause.pause()
    let passed = false
    void pause.clock.sleep(0).then(() => {
      passed = true
    })
    await settle()
    expect(passed).toBe(false)
    pause.resume()
    await settle()
    expect(passed).toBe(true)
  })

  it('rejects with the abort reason when the drill is aborted while paused', async () => {
    const pause = new DrillPause(new ManualClock())
    pause.pause()
    const controller = new AbortController()
    const slept = pause.clock.sleep(1000, controller.signal)
    controller.abort('aborted by the facilitator')
    await expect(slept).rejects.toBe('aborted by the facilitator')
  })

  it('reads time from the base clock, paused or not', async () => {
    const base = new ManualClock()
    const pause = new DrillPause(base)
    pause.pause()
    await base.advance(2000)
    expect(pause.clock.now()).toBe(base.now())
    expect(pause.since).toBe(base.now() - 2000)
  })
})
