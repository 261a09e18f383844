import type { Clock } from './clock.ts'

export interface Ticker {
  /** Stops the schedule, waits for a tick in progress, and rethrows the first error a tick threw. */
  stop(): Promise<void>
}

/**
 * Runs `tick` now and then on the grid start + k·interval of the clock's time. A tick that overruns skips the
 * grid points it missed (they are not queued), so a slow tick cannot make the schedule drift or pile up. An error
 * in a tick does not stop the schedule; the first one is rethrown by `stop`.
 */
export function startTicker(clock: Clock, intervalMs: number, tick: () => unknown): Ticker {
  let stopped = false
  let error: unknown = null
  // One controller per sleep: a clock may keep the listener it was given until that signal aborts.
  let sleep = new AbortController()
  const startedAt = clock.now()
  const loop = (async () => {
    for (let k = 0; !stopped; ) {
      try {
        // A synchronous tick stays synchronous, so the next sleep is in place as soon as `startTicker` returns.
        const result = tick()
        if (result instanceof Promise) await result
      } catch (err) {
        error ??= err
      }
      k = Math.max(k + 1, Math.floor((clock.now() - startedAt) / intervalMs) + 1)
      if (stopped) return
      sleep = new AbortController()
      try {
        await clock.sleep(Math.max(0, startedAt + k * intervalMs - clock.now()), sleep.signal)
      } catch {
        return
      }
    }
  })()
  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true
        sleep.abort()
        await loop
        if (error !== null) throw error
      })()
      return stopping
    },
  }
}
