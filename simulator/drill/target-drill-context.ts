import { cp, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Clock, systemClock } from '../../record/clock/clock.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import type { ValidTarget } from '../../record/target/parse-target.ts'
import { scenarioForTarget } from '../../record/target/scenario-for-target.ts'
import { type TargetFlagControl, targetFlagControl } from '../target/target-flag-control.ts'
import type { TemplateTrafficRun } from '../traffic/start-template-traffic.ts'
import type { DrillDetection } from './drill-detection.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillOutcome } from './drill-options.ts'
import type { DrillPaging } from './drill-paging.ts'
import {
  createDrillRunControl,
  type DrillAborted,
  type DrillRunControl,
  type trackRecovery,
} from './drill-run-control.ts'
import type { FlagWatchdog } from './flag-watchdog.ts'
import { openRun, progressSayer } from './open-run.ts'
import type { Page } from './pager.ts'
import { thisProcess } from './run-process.ts'
import type { TargetDependencyDrill } from './target-dependency-drill.ts'
import type { RunTargetDrillOptions } from './target-drill-options.ts'

/**
 * What a target drill's phases share: the run, the target and its scenario, set when it opens; then what each
 * phase leaves for the ones after it (the dead man's switch, the pager, what watches the service), which cleanup
 * puts back whatever was reached.
 */
export interface TargetDrillContext {
  readonly options: RunTargetDrillOptions
  readonly target: LoadedTarget
  /** Tokens for the flag source, and the page destinations. */
  readonly env: NodeJS.ProcessEnv
  /** The scenario as the target shapes it (its SLIs, rules and steps). */
  readonly scenario: ValidScenario
  readonly loaded: LoadedScenario
  readonly clock: Clock
  readonly seed: number
  readonly startedAt: number
  /** The target's flag that guards the team's change. */
  readonly flag: string
  readonly responderKind: 'bot' | 'human'
  /** What detects: firedrill's evaluator, or the team's own Alertmanager or Prometheus. */
  readonly detectionSource: NonNullable<ValidTarget['detection']>
  readonly runId: string
  readonly outDir: string
  readonly journalFile: string
  readonly journal: DrillJournal
  /** One progress line, stamped with the seconds since the start. */
  readonly say: (line: string) => void
  readonly run: DrillRunControl
  /** Aborts every wait of the drill once it is stopped. */
  readonly signal: AbortSignal
  /** The target's flag, read and flipped through the source its target file names. */
  readonly control: TargetFlagControl
  /** Background work whose failure stops the drill; cleanup lets it settle. */
  readonly background: Promise<unknown>[]
  track(task: Promise<unknown>): void

  /** A dependency's fault instead of the team's change: the proxy in front of it is what the drill changes. */
  dependencyDrill?: TargetDependencyDrill
  // Left by the phases for the ones after them, and for cleanup.
  watchdog?: FlagWatchdog
  paging?: DrillPaging
  recovery?: ReturnType<typeof trackRecovery>
  detection?: DrillDetection
  traffic?: TemplateTrafficRun
  /** The traffic's journalled intervals. */
  intervals?: { stop(): void }
  /** The team's Prometheus alerts, read and grouped for the pager. */
  alerting?: { stop(): Promise<void> }
  /** Whether the drill has changed the target's flag (cleanup puts it back then). */
  touched: boolean
  /** Whether any step has released the change to anyone yet. */
  released: boolean
  /** The page the responder answers. */
  page?: Page
  /** The outcome so far (an abort decides its own, at the end). */
  status: Exclude<DrillOutcome['status'], 'aborted'>
  loopClosed: boolean
  /** The abort as cleanup found it. */
  abort?: DrillAborted
}

/**
 * Opens the target drill's run (its directory, with a copy of the target file, its journal and run control) and
 * journals `drill.started`. Nothing on the target has changed yet.
 */
export async function openTargetDrill(options: RunTargetDrillOptions): Promise<TargetDrillContext> {
  const { target } = options
  const env = options.env ?? process.env
  const scenario = scenarioForTarget(options.loaded.scenario, target.target)
  const loaded: LoadedScenario = { ...options.loaded, scenario }
  const clock = options.clock ?? systemClock
  const seed = options.seed ?? scenario.seed
  const startedAt = clock.now()
  const flag = target.target.flags.flag
  const responderKind = options.responder ?? scenario.responder.kind
  const detectionSource = target.target.detection ?? { kind: 'firedrill' as const }
  const { runId, outDir, journalFile, journal } = await openRun(loaded, clock, startedAt, options.outDir)
  await mkdir(join(outDir, 'target'), { recursive: true })
  await cp(target.file, join(outDir, 'target', 'target.yaml'))
  const say = progressSayer(options.progress, clock, startedAt)

  const run = createDrillRunControl({
    journal,
    say,
    signal: options.signal,
    interrupted: 'interrupted (Ctrl-C, SIGTERM or a closed terminal)',
  })
  const background: Promise<unknown>[] = []
  const drill: TargetDrillContext = {
    options,
    target,
    env,
    scenario,
    loaded,
    clock,
    seed,
    startedAt,
    flag,
    responderKind,
    detectionSource,
    runId,
    outDir,
    journalFile,
    journal,
    say,
    run,
    signal: run.signal,
    control: targetFlagControl(target, env),
    background,
    track: (task) => {
      background.push(
        task.catch((err: unknown) => run.stop(`drill machinery failed: ${(err as Error).message}`, 'error')),
      )
    },
    touched: false,
    released: false,
    status: 'not-recovered',
    loopClosed: false,
  }
  await journalStarted(drill)
  return drill
}

/** `drill.started`: the run, its scenario, what it changes (the flag, or a dependency), who detects and responds. */
function journalStarted(drill: TargetDrillContext): Promise<unknown> {
  const { scenario, target, flag } = drill
  const { fault } = scenario.change
  return drill.journal.append({
    type: 'drill.started',
    data: {
      runId: drill.runId,
      scenario: drill.loaded.name,
      title: scenario.title,
      seed: drill.seed,
      timeScale: scenario.timeScale,
      slo: { objective: scenario.slo.objective, window: scenario.slo.window },
      ...(fault.kind === 'dependency-fault'
        ? {
            dependency: {
              name: fault.dependency!,
              ...(fault.degradeSwitch === undefined ? {} : { degradeSwitch: fault.degradeSwitch }),
            },
          }
        : { flag }),
      strategy: scenario.release.strategy,
      responder: drill.responderKind,
      process: thisProcess(),
      target: { name: target.target.name, file: target.file },
      detector: drill.detectionSource.kind,
    },
  })
}
