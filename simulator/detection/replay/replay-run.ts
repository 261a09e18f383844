import { join, resolve } from 'node:path'
import { eventsOf } from '../../../record/journal/journal-event.ts'
import { readJournal } from '../../../record/journal/read-journal.ts'
import { ReplayNoSeriesError } from '../errors.ts'
import { type DetectionReplay, replayDetection, ruleSetAsRun } from './replay-detection.ts'
import { readReplayRulesFile } from './replay-rules-file.ts'

/**
 * `firedrill detect replay`: a run directory's journal replayed against the rule files (windows scaled by the
 * run's time scale), after the run's own rules as the baseline.
 */
export async function replayRun(runDir: string, rulesFiles: readonly string[]): Promise<DetectionReplay> {
  const journalFile = join(resolve(runDir), 'journal.jsonl')
  const { events } = await readJournal(journalFile)
  const started = eventsOf(events, 'detection.started')[0]
  if (started === undefined || eventsOf(events, 'sli.sampled').length === 0)
    throw new ReplayNoSeriesError(journalFile)
  const timeScale = eventsOf(events, 'drill.started')[0]?.data.timeScale ?? 1
  const sets = [ruleSetAsRun(started)]
  for (const file of rulesFiles) sets.push(await readReplayRulesFile(file, timeScale))
  return replayDetection(events, started, sets)
}

/** The replay as a table for people. */
export function describeReplay(replay: DetectionReplay): string[] {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const span = Date.parse(replay.toAt) - Date.parse(replay.fromAt)
  const steady = replay.steadyStates
    .map((s) => `${s.when} ${seconds(Date.parse(s.toAt) - Date.parse(s.fromAt))}`)
    .join(', ')
  const lines = [
    `replay of ${replay.runId} (scenario ${replay.scenario}): ${replay.samples} scrapes over ${seconds(span)}; ` +
      `release ${replay.releasedAt === null ? 'never' : `at +${seconds(Date.parse(replay.releasedAt) - Date.parse(replay.fromAt))}`}; ` +
      `steady states: ${steady || 'none'}`,
    '',
  ]
  const rows = [
    ['rules', 'rule', 'slo', 'first fired after release', 'firings', 'in steady state before/after'],
  ]
  for (const set of replay.ruleSets) {
    for (const a of set.alerts) {
      rows.push([
        set.name,
        a.rule,
        a.slo,
        a.afterReleaseMs === null ? 'never' : `+${seconds(a.afterReleaseMs)}`,
        String(a.firings),
        `${a.inSteadyState.before} / ${a.inSteadyState.after}`,
      ])
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  lines.push(
    ...rows.map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    ),
  )
  return lines
}
