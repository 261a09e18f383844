/** Why a shop part stops: a signal, or the parent that started it going away. */
export type StopReason = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'parent-gone'

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

export interface StopRequests {
  /** Resolves with the first reason to stop. */
  readonly requested: Promise<StopReason>
  /** Resolves on a second reason: whoever sends a second signal wants out now. */
  readonly insisted: Promise<StopReason>
  /** Removes the handlers (the signals' default actions apply again). */
  dispose(): void
}

export interface ListenForStopOptions {
  /**
   * Also stop when this process's IPC channel closes: the parent that started it has exited or died, even of
   * SIGKILL, so no part outlives it. @defaultValue false
   */
  watchParent?: boolean
}

/**
 * Listens for every reason a shop part should stop: SIGTERM (a supervisor), SIGINT (Ctrl-C), SIGHUP (its
 * terminal closed), and with `watchParent` its parent's death. Installed before the part starts, so a stop
 * asked for during the start is not lost.
 */
export function listenForStop(options: ListenForStopOptions = {}): StopRequests {
  let first: (reason: StopReason) => void = () => {}
  let second: (reason: StopReason) => void = () => {}
  const requested = new Promise<StopReason>((resolve) => {
    first = resolve
  })
  const insisted = new Promise<StopReason>((resolve) => {
    second = resolve
  })
  let count = 0
  const record = (reason: StopReason) => {
    count += 1
    if (count === 1) first(reason)
    else if (count === 2) second(reason)
  }
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => record(signal)
    process.on(signal, handler)
    return [signal, handler] as const
  })
  const onDisconnect = () => record('parent-gone')
  const watchParent = (options.watchParent ?? false) && typeof process.send === 'function'
  if (watchParent) {
    if (process.connected) process.once('disconnect', onDisconnect)
    else queueMicrotask(onDisconnect)
  }
  return {
    requested,
    insisted,
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler)
      if (watchParent) process.off('disconnect', onDisconnect)
    },
  }
}
