import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { JournalEvent } from '../journal/journal-event.ts'
import { readJournal } from '../journal/read-journal.ts'
import { DoraRunsNotFoundError } from './dora-errors.ts'

const JOURNAL = 'journal.jsonl'

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() === true

/** One run: its directory and its journal's events. */
export interface LoadedRun {
  dir: string
  events: JournalEvent[]
}

/**
 * The runs under `dir`: the run directory itself when it holds a `journal.jsonl`, else every run directory in
 * it that does, in name order (run ids start with their UTC start time). A missing directory, or one with no
 * run at all, is `FIREDRILL_DORA_RUNS_NOT_FOUND` (exit 2). A crashed run's cut-off last line is left out, as
 * `readJournal` does.
 */
export async function loadRuns(dir: string): Promise<LoadedRun[]> {
  if (await isFile(join(dir, JOURNAL)))
    return [{ dir, events: (await readJournal(join(dir, JOURNAL))).events }]
  let entries: string[]
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    throw new DoraRunsNotFoundError(dir)
  }
  const runs: LoadedRun[] = []
  for (const name of entries.sort()) {
    const file = join(dir, name, JOURNAL)
    if (await isFile(file)) runs.push({ dir: join(dir, name), events: (await readJournal(file)).events })
  }
  if (runs.length === 0) throw new DoraRunsNotFoundError(dir)
  return runs
}

/** The journals of `loadRuns(dir)`. */
export async function loadRunJournals(dir: string): Promise<JournalEvent[][]> {
  return (await loadRuns(dir)).map((r) => r.events)
}
