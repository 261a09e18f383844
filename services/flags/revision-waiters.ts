interface RevisionWaiter {
  revision: number
  resolve: () => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/**
 * Callers waiting for a flag copy to reach a revision: each resolves once `settle` is told of that revision
 * or a later one, and rejects when its time runs out or the waiters are closed.
 */
export class RevisionWaiters {
  #waiters: RevisionWaiter[] = []

  /** Resolves once `settle` reports `revision` or later; rejects after `timeoutMs`, saying `current()`'s revision. */
  waitFor(revision: number, timeoutMs: number, current: () => number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: RevisionWaiter = {
        revision,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter)
          reject(new Error(`flags: revision ${revision} not seen in ${timeoutMs} ms (at ${current()})`))
        }, timeoutMs),
      }
      this.#waiters.push(waiter)
    })
  }

  /** The copy now serves `revision`: resolves everyone waiting for it or an earlier one. */
  settle(revision: number): void {
    const due = this.#waiters.filter((w) => revision >= w.revision)
    this.#waiters = this.#waiters.filter((w) => revision < w.revision)
    for (const waiter of due) {
      clearTimeout(waiter.timer)
      waiter.resolve()
    }
  }

  /** Rejects everyone still waiting with `reason`. */
  close(reason: string): void {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(new Error(reason))
    }
  }
}
