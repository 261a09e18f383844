import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import type { RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { detectionSettingsOf } from '../simulator/detection/scenario-detection.ts'
import { startTrainingGroup } from '../training/run-training-group.ts'
import { type DrillDetectionFigures, drillDetectionFigures } from './drill-detection-figures.ts'
import { intervalSliEvents } from './interval-sli-events.ts'
import { physicalFloorMs } from './physical-floor.ts'

const SCENARIO = 'bad-pricing'
const GOAL = 1.1
/** How long a drill may take to be paged before the bench gives up on it. */
const PAGE_DEADLINE_MS = 240_000

interface Measured {
  trainee: string
  status: string
  figures: DrillDetectionFigures | null
  /**
   * When a burn condition first held on the requests as they were answered (the physical floor), and the release
   * step in force then: the step that made the fault detectable. Null without a release, a page, or a floor.
   */
  floor: { at: number; stepAt: number } | null
}

const paged = (events: readonly JournalEvent[]) =>
  eventsOf(events, 'page.sent').length > 0 || eventsOf(events, 'drill.aborted').length > 0

/**
 * A real group training session (`firedrill train --trainees N`): N drills with their consoles, on one Redis, the
 * plans approved together as the group facilitator does; once every drill has paged its trainee, they are
 * aborted together (detection is what is measured; nobody answers). Resolves with each drill's detection.
 */
async function groupSession(
  redis: RedisHandle,
  loaded: LoadedScenario,
  n: number,
  root: string,
): Promise<Measured[]> {
  const trainees = Array.from({ length: n }, (_, i) => `bench-${n}-${i + 1}`)
  const group = await startTrainingGroup({
    loaded,
    redisUrl: redis.url,
    trainees,
    outDir: join(root, `group-of-${n}`),
    followUp: false,
  })
  try {
    const sessions = group.trainings.map(({ training }) => training.session)
    const deadline = Date.now() + PAGE_DEADLINE_MS
    const waitFor = async (holds: () => boolean) => {
      while (!holds() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    }
    // Every plan, once its preflight has run, approved at once.
    await waitFor(() => sessions.every((s) => s.facilitatorView().review !== null || s.over))
    for (const s of sessions) if (!s.over && s.facilitatorView().reviewed === null) s.decide(true, undefined)
    await waitFor(() => sessions.every((s) => paged(s.events) || s.over))
    for (const s of sessions) if (!s.over) s.abort('bench: detection measured')
    await group.outcomes
    return group.trainings.map(({ trainee, training }) => {
      const events = training.session.events
      const figures = drillDetectionFigures(events)
      return {
        trainee,
        status: eventsOf(events, 'page.sent').length > 0 ? 'paged' : 'not paged',
        figures,
        floor: figures === null ? null : floorOf(events, loaded, figures),
      }
    })
  } finally {
    await group.close()
  }
}

/** The physical floor of a drill's detection, from its journalled traffic, and the step that made it detectable. */
function floorOf(
  events: readonly JournalEvent[],
  loaded: LoadedScenario,
  figures: DrillDetectionFigures,
): Measured['floor'] {
  const sli = intervalSliEvents(events)
  const first = eventsOf(events, 'traffic.interval')[0]
  if (first === undefined) return null
  const settings = detectionSettingsOf(loaded.scenario)
  const at = physicalFloorMs(sli, {
    rules: settings.rules,
    objective: settings.slos[0]!.objective,
    dataFrom: Date.parse(first.data.from),
    from: figures.releasedAt,
    until: figures.alertAt,
  })
  if (at === null) return null
  const steps = eventsOf(events, 'release.step').map((e) => Date.parse(e.at))
  return { at, stepAt: steps.filter((t) => t <= at).at(-1) ?? figures.releasedAt }
}

/**
 * What a trainer's group session costs each drill's detection: `firedrill train --trainees 1`, then
 * `--trainees n`, on the same machine and Redis, each with its console. Each drill's alert against its physical
 * floor (the first instant a burn condition held on the requests it answered), both counted from the release step
 * that made the fault detectable; goal: within 1.1×. And each drill's detection against the session of one.
 */
export async function concurrentDrills(redis: RedisHandle, n: number) {
  const loaded = await loadScenario(SCENARIO)
  const root = await mkdtemp(join(tmpdir(), 'firedrill-bench-group-'))
  try {
    process.stderr.write(`bench: a training session of one (${SCENARIO})\n`)
    const [alone] = await groupSession(redis, loaded, 1, root)
    process.stderr.write(`bench: a training session of ${n}\n`)
    const group = await groupSession(redis, loaded, n, root)
    const after = (m: Measured | undefined) =>
      m?.figures === null || m?.figures === undefined ? null : m.figures.alertAt - m.figures.stepAt
    const base = after(alone)
    const sec = (ms: number | null) => (ms === null ? 'no page' : `${(ms / 1000).toFixed(2)} s`)
    const step = (m: Measured | undefined) =>
      m?.figures ? ` (step ${m.figures.step}, ${m.figures.percent} %)` : ''
    const floor = (m: Measured | undefined) => {
      if (m?.figures == null || m.floor === null) return 'no physical floor'
      const fromStep = (m.floor.at - m.floor.stepAt) / 1000
      const detected = (m.figures.alertAt - m.floor.stepAt) / 1000
      return `alert ${detected.toFixed(2)} s after the detectable step, floor ${fromStep.toFixed(2)} s: ${(detected / fromStep).toFixed(2)}× the physical floor (${Math.round(m.figures.alertAt - m.floor.at)} ms after it)`
    }
    const lines = [
      `${SCENARIO}, firedrill train --trainees 1 then ${n}, consoles up, plans approved at once; goal: each detection within ${GOAL}× its physical floor`,
      "(the floor is read from the journal's traffic intervals, so it is known to within one interval)",
      `  session of 1      ${alone?.status}; ${sec(base)} after the detectable step${step(alone)}`,
      `                    ${floor(alone)}`,
    ]
    for (const m of group) {
      const ms = after(m)
      const ratio = base === null || ms === null ? 'n/a' : `${(ms / base).toFixed(2)}×`
      lines.push(
        `  ${m.trainee.padEnd(16)} ${m.status}; ${sec(ms)} after the detectable step${step(m)}, ${ratio} of the session of 1`,
        `                    ${floor(m)}`,
      )
    }
    return { lines }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
