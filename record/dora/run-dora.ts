import { join } from 'node:path'
import { eventsOf } from '../journal/journal-event.ts'
import { type TrunkHistory, trunkProblem } from './changes-from-git.ts'
import { type DoraEvents, eventsFromJournals } from './dora-events.ts'
import { type DoraMetrics, doraMetrics } from './dora-metrics.ts'
import { type LoadedRun, loadRuns } from './load-run-journals.ts'
import { mergeChanges } from './merge-changes.ts'
import { withTrunkHistory } from './with-trunk-history.ts'

/** Where a run keeps its service repository, and that repository's trunk (as `createSandboxRepo` makes it). */
export const RUN_SANDBOX = { dir: 'sandbox', trunk: 'main' } as const

/** One run's DORA events and metrics. */
export interface RunDora {
  runId: string
  dir: string
  events: DoraEvents
  metrics: DoraMetrics
}

export interface RunDoraOptions {
  /** How long after a production deployment an incident still links to it. @defaultValue 1 day */
  incidentWindowMs?: number
  /**
   * The events of the run this one repeats: known history, so a fix this run deploys counts as rework of the
   * earlier run's failed deployment. The period still starts at this run's first event.
   */
  earlier?: DoraEvents
}

/** The run's `sandbox/` repository and its trunk, or null when it is not a git repository with that trunk. */
export async function runTrunkHistory(runDir: string): Promise<TrunkHistory | null> {
  const repoDir = join(runDir, RUN_SANDBOX.dir)
  return (await trunkProblem(repoDir, RUN_SANDBOX.trunk)) === null
    ? { repoDir, trunk: RUN_SANDBOX.trunk }
    : null
}

/**
 * One run's DORA metrics: events from its journal plus its `sandbox/` trunk history when there is one, over
 * the period up to the journal's last event (so measuring the same run again gives the same figures). With
 * `earlier`, the repeated run's events join as history and the period starts at this run's first event.
 */
export async function runDora(run: LoadedRun, options: RunDoraOptions = {}): Promise<RunDora> {
  const { incidentWindowMs, earlier } = options
  const history = await runTrunkHistory(run.dir)
  const fromJournal = eventsFromJournals([run.events], { incidentWindowMs })
  const own = history === null ? fromJournal : await withTrunkHistory(fromJournal, [history])
  const events =
    earlier === undefined
      ? own
      : {
          changes: mergeChanges(earlier.changes, own.changes),
          deployments: [...earlier.deployments, ...own.deployments],
          incidents: [...earlier.incidents, ...own.incidents],
        }
  const first = run.events[0]
  const last = run.events.at(-1)
  const now = last === undefined ? 0 : Date.parse(last.at)
  const since = earlier === undefined || first === undefined ? {} : { since: Date.parse(first.at) }
  return {
    runId: eventsOf(run.events, 'drill.started')[0]?.data.runId ?? run.dir,
    dir: run.dir,
    events,
    metrics: doraMetrics(events, { now, incidentWindowMs, ...since }),
  }
}

/** `runDora` on the run in `dir` (read as `loadRuns` does: a missing journal is `FIREDRILL_DORA_RUNS_NOT_FOUND`). */
export async function readRunDora(dir: string, options: RunDoraOptions = {}): Promise<RunDora> {
  const [run] = await loadRuns(dir)
  return runDora(run!, options)
}

/**
 * `run` measured after `before`: when `run` repeats it (`run --again`), with its events as history, so a fix
 * `run` deploys counts as rework of `before`'s failed deployment; any other pair, each on its own.
 */
export function runDoraAfter(
  run: LoadedRun,
  before: RunDora,
  options: RunDoraOptions = {},
): Promise<RunDora> {
  const repeats = eventsOf(run.events, 'drill.started')[0]?.data.againOf?.runId === before.runId
  return runDora(run, { ...options, ...(repeats ? { earlier: before.events } : {}) })
}
