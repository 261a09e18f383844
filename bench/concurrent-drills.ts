import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatherDrillFacts } from '../postmortems/drill-facts.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { type DrillDetectionFigures, drillDetectionFigures } from './drill-detection-figures.ts'

const SCENARIO = 'bad-pricing'
const GOAL = 1.1

interface Measured {
  status: string
  figures: DrillDetectionFigures | null
  /** MTTD over the theoretical detection time the postmortem states (the rule's windows at the ratio seen). */
  ofTheoretical: number | null
}

/** Runs `n` drills of the scenario at once (own run, prefix, shop and ports each, one Redis), without the loop. */
async function drillsAtOnce(redis: RedisHandle, n: number, root: string, tag: string): Promise<Measured[]> {
  const loaded = await loadScenario(SCENARIO)
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const outcome = await runDrill({
        loaded,
        redisUrl: redis.url,
        outDir: join(root, `${tag}-${i + 1}`),
        responder: 'bot',
        followUp: false,
      })
      const { summary } = await reportRun(outcome.outDir)
      const { events } = await readJournal(outcome.journal)
      const facts = gatherDrillFacts(events, loaded.scenario)
      const theoretical = facts.theoreticalDetectionMs
      const mttd = facts.timings.mttdMs
      return {
        status: summary.status,
        figures: drillDetectionFigures(events),
        ofTheoretical: theoretical === null || mttd === null ? null : mttd / theoretical,
      }
    }),
  )
}

/**
 * What a trainer's group session (`firedrill train --trainees N`) costs each drill's detection: the scenario's
 * drill alone, then `n` of them at once on the same machine and Redis (the bot answers, as detection does not
 * depend on who responds; the follow-up is left out, as a training drill's is). Detection is timed from the
 * release step that made the fault detectable to the first paging alert; each concurrent drill is compared with
 * the drill run alone in this run (goal: within 1.1×), and each drill's MTTD with the theoretical detection
 * time its postmortem states (the rule's windows at the error ratio it saw, as `Detection took …` says).
 */
export async function concurrentDrills(redis: RedisHandle, n: number) {
  const root = await mkdtemp(join(tmpdir(), 'firedrill-bench-group-'))
  try {
    process.stderr.write(`bench: one ${SCENARIO} drill alone\n`)
    const [alone] = await drillsAtOnce(redis, 1, root, 'alone')
    process.stderr.write(`bench: ${n} ${SCENARIO} drills at once\n`)
    const group = await drillsAtOnce(redis, n, root, 'group')
    const after = (m: Measured | undefined) =>
      m?.figures === null || m?.figures === undefined ? null : m.figures.alertAt - m.figures.stepAt
    const base = after(alone)
    const sec = (ms: number | null) => (ms === null ? 'no page' : `${(ms / 1000).toFixed(2)} s`)
    const theoretical = (m: Measured | undefined) =>
      m?.ofTheoretical === null || m?.ofTheoretical === undefined
        ? 'no theoretical time'
        : `MTTD ${m.ofTheoretical.toFixed(2)}× its theoretical time`
    const lines = [
      `${SCENARIO}: detection after the step that made it detectable; goal: each of ${n} drills at once within ${GOAL}× of one alone`,
      `  alone            ${alone?.status}, ${sec(base)}${alone?.figures ? ` (step ${alone.figures.step}, ${alone.figures.percent} %)` : ''}; ${theoretical(alone)}`,
    ]
    for (const [i, m] of group.entries()) {
      const ms = after(m)
      const ratio = base === null || ms === null ? 'n/a' : `${(ms / base).toFixed(2)}×`
      lines.push(
        `  at once, drill ${i + 1} ${m.status}, ${sec(ms)}${m.figures ? ` (step ${m.figures.step}, ${m.figures.percent} %)` : ''}, ${ratio} of alone; ${theoretical(m)}`,
      )
    }
    return { lines }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
