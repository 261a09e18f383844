import { describe, expect, it } from 'vitest'
import { ManualClock } from './manual-clock.ts'

describe('manual clock', () => {
  it('wakes sleepers in time order, only when advanced past their time', async () => {
    const clock = new ManualClock(0)
    const woke: number[] = []
    void clock.sleep(30).then(() => woke.push(30))
    void clock.sleep(10).then(() => woke.push(10))
    await clock.advance(20)
    expect(woke).toEqual([10])
    expect(clock.now()).toBe(20)
    await clock.advance(10)
    expect(woke).toEqual([10, 30])
  })

  it('rejects a sleep when its signal aborts, and leaves no listener behind after a normal wake', async () => {
    const clock = new ManualClock(0)
    const controller = new AbortController()
    const aborted = clock.sleep(100, controller.signal)
    controller.abort(new Error('stop'))
    await expect(aborted).rejects.toThrow('stop')

    const signal = new AbortController().signal
    let listeners = 0
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++
      add(...args)
    }) as typeof add
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--
      remove(...args)
    }) as typeof remove
    const done = clock.sleep(10, signal)
    await clock.advance(10)
    await done
    expect(listeners).toBe(0)
  })
})
