import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { scoreTraining } from '../record/scoring/training-score.ts'

export interface ScoreEntry {
  runId: string
  dir: string
  trainee: string
  points: number
  acknowledgeMs: number | null
  mitigateMs: number | null
  hints: number
  startedAt: string
}

export interface Leaderboard {
  runsDir: string
  /** One group per scenario and seed (the same incident), entries best first. */
  groups: { scenario: string; seed: number; entries: ScoreEntry[] }[]
  /** Run directories that could not be read, each with why. */
  skipped: { dir: string; reason: string }[]
}

/**
 * Scores every trainee run under `runsDir` from its journal and the scenario copied beside it (the same rubric
 * `firedrill report` uses), best first within each scenario and seed; ties go to the quicker mitigation.
 */
export async function collectScores(runsDir: string, scenario?: string): Promise<Leaderboard> {
  let names: string[]
  try {
    names = (await readdir(runsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  } catch {
    names = []
  }
  const groups = new Map<string, { scenario: string; seed: number; entries: ScoreEntry[] }>()
  const skipped: Leaderboard['skipped'] = []
  for (const name of names.sort()) {
    const dir = join(runsDir, name)
    try {
      const { events } = await readJournal(join(dir, 'journal.jsonl'))
      const started = events.find((e) => e.type === 'drill.started')
      if (started?.type !== 'drill.started' || started.data.responder !== 'human') continue
      if (scenario !== undefined && started.data.scenario !== scenario) continue
      const loaded = await loadScenario(join(dir, 'scenario'))
      const score = scoreTraining(events, loaded.scenario)
      if (score === null) continue
      const key = `${score.scenario}\u0000${score.seed}`
      const group = groups.get(key) ?? { scenario: score.scenario, seed: score.seed, entries: [] }
      group.entries.push({
        runId: score.runId,
        dir,
        trainee: score.trainee,
        points: score.points,
        acknowledgeMs: score.acknowledgeMs,
        mitigateMs: score.mitigateMs,
        hints: score.hints.count,
        startedAt: started.at,
      })
      groups.set(key, group)
    } catch (err) {
      skipped.push({ dir, reason: (err as Error).message.split('\n')[0] ?? 'unreadable' })
    }
  }
  const last = Number.POSITIVE_INFINITY
  for (const group of groups.values())
    group.entries.sort(
      (a, b) =>
        b.points - a.points ||
        (a.mitigateMs ?? last) - (b.mitigateMs ?? last) ||
        a.runId.localeCompare(b.runId),
    )
  return {
    runsDir,
    groups: [...groups.values()].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.seed - b.seed),
    skipped,
  }
}
