import type { Clock } from './clock.ts'

interface Sleeper {
  at: number
  resolve: () => void
}

/** A clock that moves only when told to: `advance(ms)` wakes every sleeper whose time has come, in order. */
export class ManualClock implements Clock {
  #now: number
  #sleepers: Sleeper[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
        reject(signal?.reason)
      }
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      this.#sleepers.push(sleeper)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Moves time forward, waking sleepers one at a time and letting each run before the next. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      this.#sleepers.sort((a, b) => a.at - b.at)
      const next = this.#sleepers[0]
      if (next === undefined || next.at > target) break
      this.#sleepers.shift()
      this.#now = next.at
      next.resolve()
      await new Promise((r) => setImmediate(r))
    }
    this.#now = target
  }
}
