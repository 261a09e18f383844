import type { LoadedScenario } from '../record/scenario/load-scenario.ts'
import type { BenchDrill } from './detection.ts'
import { summarize } from './percentiles.ts'

const GOAL_MS = 90_000

/**
 * Drill time: the wall time of each whole drill the detection entry ran (preflight to cleanup, in this
 * process), against the scenario's own plan: both steady states, the holds of the release steps before the one
 * that paged, and the responder's acknowledgement delay. What the plan leaves out (deploy, detection inside the
 * paging step, mitigation, recovery, cleanup) is the ratio's excess over 1.
 */
export function drillTime(loaded: LoadedScenario, drills: readonly BenchDrill[]) {
  const { scenario } = loaded
  const planned = drills.map((d) => {
    const paging = d.figures?.step ?? scenario.release.steps.length + 1
    const holds = scenario.release.steps.slice(0, paging - 1).reduce((sum, s) => sum + s.holdSeconds, 0)
    return (2 * scenario.steadyState.durationSeconds + holds + scenario.responder.ackDelaySeconds) * 1000
  })
  const wall = summarize(drills.map((d) => d.wallMs))
  const plan = summarize(planned)
  const ratio = summarize(drills.map((d, i) => d.wallMs / planned[i]!))
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const lines = [
    `drill time, ${loaded.name} drill (bot responder), whole drill in this process, ${drills.length} run(s)`,
    `  wall time        p50 ${sec(wall.p50)}  min ${sec(wall.min)}  max ${sec(wall.max)}   goal: under ${sec(GOAL_MS)}`,
    `  planned (steady states + holds before the paging step + ack delay)  p50 ${sec(plan.p50)}`,
    `  ratio (wall / planned)  p50 ${ratio.p50.toFixed(2)}x  min ${ratio.min.toFixed(2)}x  max ${ratio.max.toFixed(2)}x`,
  ]
  return { lines, wallMs: wall, ratio }
}
