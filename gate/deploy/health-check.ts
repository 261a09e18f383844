import type { CheckOutcome } from './check-outcome.ts'

/** Is the instance at `url` ready for traffic? */
export type HealthCheck = (url: string) => Promise<CheckOutcome>

export interface ReadyzCheckOptions {
  /** How long the instance has to answer `/readyz` with 200. @defaultValue 5000 */
  timeoutMs?: number
  /** Pause between two polls. @defaultValue 50 */
  intervalMs?: number
}

/** Polls `GET <url>/readyz` until it answers 200, or fails with the last answer once `timeoutMs` has passed. */
export function readyzCheck(options: ReadyzCheckOptions = {}): HealthCheck {
  const timeoutMs = options.timeoutMs ?? 5000
  const intervalMs = options.intervalMs ?? 50
  return async (url) => {
    const deadline = Date.now() + timeoutMs
    // What the instance said last wins over a request that merely ran out of time.
    let answered: string | undefined
    let failed = 'no answer'
    for (;;) {
      const left = deadline - Date.now()
      try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(Math.max(left, 250)) })
        if (response.status === 200) return { ok: true, detail: '/readyz answered 200' }
        answered = `/readyz answered ${response.status} ${(await response.text()).slice(0, 200)}`
      } catch (err) {
        failed = `/readyz did not answer: ${(err as Error).message}`
      }
      if (Date.now() + intervalMs >= deadline)
        return { ok: false, detail: `not ready after ${timeoutMs} ms (${answered ?? failed})` }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  }
}
