import type { GateStep } from '../config/parse-gate-file.ts'
import type { StepResult } from './gate-result.ts'

/**
 * Runs steps as their `needs` allow: every step whose needs have all passed is started, at most `concurrency`
 * at a time, in gate-file order. A step whose need did not pass is `skipped`, never run. Results come back in
 * gate-file order.
 */
export async function scheduleSteps(
  steps: readonly GateStep[],
  concurrency: number,
  runStep: (step: GateStep) => Promise<StepResult>,
  skipStep: (step: GateStep, unmet: string) => StepResult,
): Promise<StepResult[]> {
  const results = new Map<string, StepResult>()
  const pending = [...steps]
  const running = new Map<string, Promise<void>>()
  while (pending.length > 0 || running.size > 0) {
    let progressed = false
    for (const step of [...pending]) {
      const failedNeed = step.needs.find((n) => {
        const r = results.get(n)
        return r !== undefined && r.status !== 'passed'
      })
      if (failedNeed !== undefined) {
        results.set(step.name, skipStep(step, failedNeed))
        pending.splice(pending.indexOf(step), 1)
        progressed = true
        continue
      }
      if (running.size >= concurrency) continue
      if (!step.needs.every((n) => results.has(n))) continue
      pending.splice(pending.indexOf(step), 1)
      progressed = true
      running.set(
        step.name,
        runStep(step).then((result) => {
          results.set(step.name, result)
          running.delete(step.name)
        }),
      )
    }
    if (progressed) continue
    if (running.size === 0) break // cannot happen with needs naming earlier steps; guards against a hang
    await Promise.race(running.values())
  }
  return steps.map(
    (s) => results.get(s.name) ?? skipStep(s, s.needs.find((n) => !results.has(n)) ?? '(unknown)'),
  )
}
