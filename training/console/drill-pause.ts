import type { Clock } from '../../record/clock/clock.ts'

/**
 * The facilitator's pause: a clock on the base clock whose sleeps count only the time the drill is not paused.
 * The drill runs its release on it (its steps and holds), so a pause holds the release where it is, and a
 * resume lets the hold that was cut short run what was left of it. `now()` is the base clock's: the journal's
 * times stay real.
 */
export class DrillPause {
  readonly #base: Clock
  #since: number | null = null
  #resumed: { promise: Promise<void>; resolve: () => void } | null = null
  /** Sleepers to wake when a pause begins, so each stops counting. */
  #onPause = new Set<() => void>()

  readonly clock: Clock

  constructor(base: Clock) {
    this.#base = base
    this.clock = { now: () => base.now(), sleep: (ms, signal) => this.#sleep(ms, signal) }
  }

  get paused(): boolean {
    return this.#since !== null
  }

  /** When the current pause began (base clock ms), or null. */
  get since(): number | null {
    return this.#since
  }

  pause(): void {
    if (this.#since !== null) return
    this.#since = this.#base.now()
    let resolve: () => void = () => {}
    const promise = new Promise<void>((r) => {
      resolve = r
    })
    this.#resumed = { promise, resolve }
    for (const wake of [...this.#onPause]) wake()
  }

  /** Ends the pause; how long it lasted (ms), or 0 when it was not paused. */
  resume(): number {
    if (this.#since === null) return 0
    const pausedMs = this.#base.now() - this.#since
    this.#since = null
    this.#resumed?.resolve()
    this.#resumed = null
    return pausedMs
  }

  async #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    let left = Math.max(0, ms)
    for (;;) {
      if (signal?.aborted) throw signal.reason
      if (this.#resumed !== null) await this.#untilResumed(this.#resumed.promise, signal)
      if (left === 0) return
      const from = this.#base.now()
      const cut = new AbortController()
      const onPause = () => cut.abort(new Error('paused'))
      this.#onPause.add(onPause)
      try {
        await this.#base.sleep(
          left,
          signal === undefined ? cut.signal : AbortSignal.any([signal, cut.signal]),
        )
        return
      } catch (err) {
        if (signal?.aborted || !cut.signal.aborted) throw err
        left = Math.max(0, left - (this.#base.now() - from))
      } finally {
        this.#onPause.delete(onPause)
      }
    }
  }

  #untilResumed(resumed: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    if (signal === undefined) return resumed
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      void resumed.then(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  }
}
