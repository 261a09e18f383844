import { existsSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { buildPostmortem } from '../../postmortems/build-postmortem.ts'
import { firstRunMissing } from '../../postmortems/dora-before-after.ts'
import type { DoraSide, Postmortem, PostmortemDora } from '../../postmortems/postmortem-schema.ts'
import { writePostmortem } from '../../postmortems/write-postmortem.ts'
import { systemClock } from '../../record/clock/clock.ts'
import { type RunDora, readRunDora, runDora, runDoraAfter } from '../../record/dora/run-dora.ts'
import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import { readJournal } from '../../record/journal/read-journal.ts'
import type { JunitSuite } from '../../record/junit/junit-xml.ts'
import { type LoadedScenario, loadScenario } from '../../record/scenario/load-scenario.ts'
import { loadRoster } from '../../record/scenario/team-roster.ts'
import { loadTarget } from '../../record/target/load-target.ts'
import { scenarioForTarget } from '../../record/target/scenario-for-target.ts'
import { drillFigures } from '../../record/timings/drill-figures.ts'
import { sloImpactsOf } from '../../record/timings/slo-impacts.ts'
import { FiredrillError } from '../../services/platform/firedrill-error.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { drillChecks } from './drill-checks.ts'
import type { DrillStatus, DrillSummary } from './drill-summary.ts'
import { closeOrphanedRun, type OrphanedRun } from './orphaned-runs.ts'
import { readRunFlagInventory } from './run-flag-inventory.ts'

export interface ReportRunOptions {
  /** When the report is written: stamps the postmortem and anchors its due dates. @defaultValue Date.now() */
  now?: number
}

export interface RunReport {
  summary: DrillSummary
  postmortem: Postmortem
  /** Whether the journal's last line was cut off (a crashed run). */
  truncatedLastLine: boolean
  /** The run had crashed and nobody had said so yet: this report closed its journal (`drill.aborted`). */
  closedOrphan: OrphanedRun | null
  /** The run as checks (phases' exit checks, the incident, the loop), for `--junit` and `run --ci`. */
  checks: JunitSuite[]
}

/** The files of a run directory that `reportRun` reads and writes. */
export const RUN_FILES = {
  journal: 'journal.jsonl',
  scenario: 'scenario',
  summary: 'summary.json',
  /** A drill on a target: the target file as it ran. */
  target: 'target/target.yaml',
} as const

/**
 * Rebuilds a run's report from its directory: reads `journal.jsonl` and the scenario copied into
 * `scenario/`, writes `postmortem.md`, `postmortem.json` and `summary.json` (each atomically) next to them.
 * The postmortem's DORA before and after (`doraBeforeAfter`): a first run is the before; a `--again` run is
 * the after, and the run it repeats, read from its directory the same way, the before.
 * Works on a crashed run's journal too. The summary is a pure function of the journal and the scenario: the
 * same run gives the same summary, whenever it is reported. A missing journal is
 * `FIREDRILL_JOURNAL_NOT_FOUND` (exit 2).
 */
export async function reportRun(runDir: string, options: ReportRunOptions = {}): Promise<RunReport> {
  const dir = resolve(runDir)
  const journal = join(dir, RUN_FILES.journal)
  // A run whose process died mid-drill is closed first, so it reads as crashed rather than not recovered.
  const closedOrphan = await closeOrphanedRun(dir, systemClock)
  const { events, truncatedLastLine } = await readJournal(journal)
  const { loaded, repoNamed } = await runScenario(dir)
  const roster = await loadRoster(loaded)
  const truncated = truncatedLastLine !== null
  const postmortem = buildPostmortem(events, loaded.scenario, roster, {
    now: options.now ?? Date.now(),
    truncatedLastLine: truncated,
    dora: await doraBeforeAfter(dir, events),
    flagInventory: await readRunFlagInventory(dir, new Date(lastEventTime(events, options.now))),
  })
  const written = await writePostmortem(dir, postmortem)
  const { timings, impact } = drillFigures(events, loaded.scenario)
  const started = eventsOf(events, 'drill.started')[0]
  const aborted = eventsOf(events, 'drill.aborted')[0]
  const verified = eventsOf(events, 'verify.finished').at(-1)
  // The caller turned the follow-up off: the loop is skipped, not failed.
  const skipped = eventsOf(events, 'loop.not-run').find((e) => e.data.turnedOff === true)
  const summary: DrillSummary = {
    runId: started?.data.runId ?? basename(dir),
    scenario: started?.data.scenario ?? loaded.name,
    seed: started?.data.seed ?? loaded.scenario.seed,
    flag: started?.data.flag ?? loaded.scenario.change.flag ?? null,
    ...((loaded.scenario.change.fault.kind === 'provider-degraded' ||
      loaded.scenario.change.fault.kind === 'dependency-fault') &&
    loaded.scenario.change.fault.degradeSwitch !== undefined
      ? { degradeSwitch: loaded.scenario.change.fault.degradeSwitch }
      : {}),
    status: statusOf(events, timings.recoveredAt),
    ...(aborted === undefined ? {} : { abortReason: aborted.data.reason }),
    ...(started?.data.target === undefined
      ? {}
      : { target: { name: started.data.target.name, detector: started.data.detector ?? 'firedrill' } }),
    timings: {
      releasedAt: timings.releasedAt,
      firstErrorAt: timings.firstErrorAt,
      detectedAt: timings.detectedAt,
      acknowledgedAt: timings.acknowledgedAt,
      mitigatedAt: timings.mitigatedAt,
      recoveredAt: timings.recoveredAt,
      mttdMs: timings.mttdMs,
      mttaMs: timings.mttaMs,
      mttmMs: timings.mttmMs,
      mttrMs: timings.mttrMs,
      mttrFromFirstErrorMs: timings.mttrFromFirstErrorMs,
    },
    impact,
    slos: sloImpactsOf(events),
    postmortem: {
      markdown: resolve(written.markdown),
      json: resolve(written.json),
      actionItems: postmortem.actionItems.length,
    },
    loopClosed: verified?.data.holds ?? false,
    flagClosedOut: postmortem.flags.closeOut.status === 'closed-out',
    ...(skipped === undefined ? {} : { loopSkipped: skipped.data.reason }),
    verify: verified?.data ?? null,
    journal,
  }
  await writeFileAtomically(join(dir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`)
  const checks = drillChecks(events, summary, {
    // The post-deploy watch rolling the deploy back before a page is the pipeline stopping the change, too.
    prevented:
      started?.data.againOf !== undefined ||
      loaded.scenario.change.stoppedBy !== undefined ||
      (summary.status === 'prevented' && events.some((e) => e.type === 'deploy.watch.breached')),
    again: started?.data.againOf !== undefined,
    // A target's follow-up is its team's, unless the target names its repository: then the loop runs there.
    loop:
      skipped === undefined &&
      (started?.data.target === undefined || repoNamed) &&
      started?.data.againOf === undefined &&
      (loaded.scenario.change.stoppedBy === undefined || loaded.scenario.followUp.fix !== undefined),
    closeOut: loaded.scenario.followUp.cleanup !== undefined,
  })
  return { summary, postmortem, truncatedLastLine: truncated, closedOrphan, checks }
}

/**
 * The run's scenario as it ran: the copy in `scenario/`, and for a drill on a target (`target/target.yaml`
 * beside it) resolved against that target as `run --target` resolved it, and whether that target names its
 * repository (the loop then runs there).
 */
async function runScenario(dir: string): Promise<{ loaded: LoadedScenario; repoNamed: boolean }> {
  const loaded = await loadScenario(join(dir, RUN_FILES.scenario))
  const targetFile = join(dir, RUN_FILES.target)
  if (!existsSync(targetFile)) return { loaded, repoNamed: false }
  const target = await loadTarget(targetFile)
  return {
    loaded: { ...loaded, scenario: scenarioForTarget(loaded.scenario, target.target) },
    repoNamed: target.repo !== undefined,
  }
}

/**
 * Crashed when a later run or report closed the journal of a run whose process died; aborted when the journal
 * says so; recovered when a recovery was confirmed (after the mitigation, as the
 * timings and the postmortem count it); otherwise not recovered, a crashed run without a finish included.
 */
function statusOf(events: readonly JournalEvent[], recoveredAt: string | null): DrillStatus {
  const aborted = eventsOf(events, 'drill.aborted')[0]
  if (aborted !== undefined) return aborted.data.condition === 'crashed' ? 'crashed' : 'aborted'
  if (eventsOf(events, 'drill.finished').some((e) => e.data.outcome === 'prevented')) return 'prevented'
  return recoveredAt !== null ? 'recovered' : 'not-recovered'
}

/** The journal's last event time, so a rebuilt report judges the flags on the same day; else `fallback` or now. */
const lastEventTime = (events: readonly JournalEvent[], fallback: number | undefined) => {
  const last = events.at(-1)
  return last === undefined ? (fallback ?? Date.now()) : Date.parse(last.at)
}

const side = (r: RunDora): DoraSide => ({ runId: r.runId, dir: r.dir, metrics: r.metrics })

/**
 * DORA before and after for the run in `dir`, each run measured from its journal and `sandbox/` trunk up to its
 * last event. A first run is the before, its after still to come. A `--again` run is the after, over its own
 * period with the repeated run's events as history; the run `drill.started.againOf` names is the before (null
 * when that directory can no longer be read: the postmortem then names it).
 */
export async function doraBeforeAfter(dir: string, events: JournalEvent[]): Promise<PostmortemDora> {
  const started = eventsOf(events, 'drill.started')[0]?.data
  const againOf = started?.againOf
  if (againOf === undefined) {
    const thisRun = side(await runDora({ dir, events }))
    return { thisRun: 'before', before: thisRun, after: null, missing: firstRunMissing(started) }
  }
  let before: RunDora
  try {
    before = await readRunDora(againOf.dir)
  } catch (err) {
    if (!(err instanceof FiredrillError)) throw err
    const after = side(await runDora({ dir, events }))
    return { thisRun: 'after', before: null, after, missing: { reason: 'unreadable', dir: againOf.dir } }
  }
  // The after period is this run's, with the repeated run as known history (a fix deployed now is rework).
  const after = side(await runDoraAfter({ dir, events }, before))
  return { thisRun: 'after', before: side(before), after, missing: null }
}
