import { BUFFERED_EVENT_TYPES, type JournalEvent } from '../record/journal/journal-event.ts'
import type { ValidScenario } from '../record/scenario/parse-scenario.ts'
import type { Roster } from '../record/scenario/team-roster.ts'
import { scoreTraining } from '../record/scoring/training-score.ts'
import { actionItemsOf } from './action-items.ts'
import { changePathOf } from './change-path.ts'
import { doraFromJournal } from './dora-before-after.ts'
import { gatherDrillFacts } from './drill-facts.ts'
import { describeEvent } from './event-description.ts'
import { dependencyFaultOf, externalFaultOf } from './fault-story.ts'
import { flagsOf } from './flag-close-out.ts'
import { lessonsOf } from './lessons.ts'
import { mistakeLogOf } from './mistake-log.ts'
import {
  detectionOf,
  impactStatementOf,
  resolutionOf,
  rootCausesOf,
  summaryOf,
  titleOf,
  triggerOf,
} from './postmortem-narrative.ts'
import type { Postmortem, PostmortemDora, PostmortemFlags, TimingRow } from './postmortem-schema.ts'

export interface BuildPostmortemOptions {
  /** When the postmortem is written: stamps it and decides which open action items are overdue. */
  now: number
  /**
   * When the action items were raised: anchors their due dates, so a postmortem rebuilt later keeps them.
   * @defaultValue the time of `drill.finished` or `drill.aborted`, else of the journal's last event, else `now`
   */
  raisedAt?: number
  /** @defaultValue the runId in `drill.started` */
  runId?: string
  /** @defaultValue the scenario name in `drill.started` */
  scenarioName?: string
  /** Whether the journal's last line was cut off (from `readJournal`). @defaultValue false */
  truncatedLastLine?: boolean
  /**
   * DORA before (the run a `--again` run repeats) and after (this run), as `reportRun` measures them.
   * @defaultValue after from this journal alone, no before (`doraFromJournal`)
   */
  dora?: PostmortemDora
  /**
   * The flags file on the run's trunk, judged at the journal's last event, as `reportRun` reads it.
   * @defaultValue null (not read)
   */
  flagInventory?: PostmortemFlags['inventory']
}

const ref = (event: JournalEvent | null) =>
  event === null ? null : { seq: event.seq, type: event.type, at: event.at }

/**
 * The blameless postmortem of one drill, built only from its journal, its scenario and the team roster.
 * Works on a crashed run's journal too: what the journal lacks shows as missing, never invented.
 */
export function buildPostmortem(
  events: readonly JournalEvent[],
  scenario: ValidScenario,
  roster: Roster,
  options: BuildPostmortemOptions,
): Postmortem {
  const facts = gatherDrillFacts(events, scenario, options)
  const a = facts.anchors
  const t = facts.timings
  const timingBreakdown: TimingRow[] = [
    { metric: 'Time to detect (release → alert)', ms: t.mttdMs, from: ref(a.released), to: ref(a.detected) },
    {
      metric: 'Time to acknowledge (alert → ack)',
      ms: t.mttaMs,
      from: ref(a.detected),
      to: ref(a.acknowledged),
    },
    {
      metric: 'Time to mitigate (alert → mitigated)',
      ms: t.mttmMs,
      from: ref(a.detected),
      to: ref(a.mitigated),
    },
    {
      metric: 'Time to recover (release → recovery)',
      ms: t.mttrMs,
      from: ref(a.released),
      to: ref(a.recovered),
    },
    {
      metric: 'Time to recover (first failure → recovery)',
      ms: t.mttrFromFirstErrorMs,
      from: ref(a.firstError),
      to: ref(a.recovered),
    },
  ]
  const ended = facts.finished ?? facts.aborted ?? events.at(-1)
  const raisedAt = options.raisedAt ?? (ended === undefined ? options.now : Date.parse(ended.at))
  const change = changePathOf(events, scenario.change.title)
  const startedAt = facts.started?.at ?? events[0]?.at ?? new Date(options.now).toISOString()
  const training = scoreTraining(events, scenario)
  return {
    schemaVersion: 3,
    runId: facts.runId,
    title: titleOf(facts),
    status: facts.status,
    date: startedAt.slice(0, 10),
    generatedAt: new Date(options.now).toISOString(),
    scenario: {
      name: facts.scenarioName,
      title: scenario.title,
      seed: scenario.seed,
      timeScale: scenario.timeScale,
      flag: scenario.change.flag ?? null,
      strategy: scenario.release.strategy,
      cause:
        externalFaultOf(scenario) === undefined && dependencyFaultOf(scenario) === undefined
          ? 'change'
          : 'external',
    },
    summary: summaryOf(facts),
    impact: {
      requests: facts.impact.requests,
      failedRequests: facts.impact.failedRequests,
      errorRatio: facts.impact.errorRatio,
      errorBudgetConsumedPct: facts.impact.errorBudgetConsumedPct,
      sloObjective: scenario.slo.objective,
      sloWindow: scenario.slo.window,
      statement: impactStatementOf(facts),
    },
    rootCauses: rootCausesOf(facts),
    trigger: triggerOf(facts),
    resolution: resolutionOf(facts),
    detection: detectionOf(facts),
    actionItems: actionItemsOf(facts, roster, { raisedAt, now: options.now }),
    change,
    mistakeLog: mistakeLogOf(facts, change),
    lessons: lessonsOf(facts),
    timeline: [...events]
      .filter((e) => !BUFFERED_EVENT_TYPES.has(e.type))
      .sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.seq - y.seq)
      .map((e) => ({ seq: e.seq, at: e.at, type: e.type, text: describeEvent(e) })),
    timings: t,
    timingBreakdown,
    dora: options.dora ?? doraFromJournal(events, facts.runId),
    flags: flagsOf(events, scenario.change.flag, options.flagInventory ?? null),
    ...(training === null ? {} : { training }),
    journal: {
      events: events.length,
      finished: facts.finished !== undefined || facts.aborted !== undefined,
      truncatedLastLine: options.truncatedLastLine ?? false,
    },
  }
}
