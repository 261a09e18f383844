import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { JournalEvent } from '../journal/journal-event.ts'
import { readJournal } from '../journal/read-journal.ts'
import { DoraRunsNotFoundError } from './dora-errors.ts'

const JOURNAL = 'journal.jsonl'

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() === true

/**
 * The journals under `dir`: the run directory itself when it holds a `journal.jsonl`, else every run
 * directory in it that does, in name order (run ids start with their UTC start time). A missing directory,
 * or one with no run at all, is `FIREDRILL_DORA_RUNS_NOT_FOUND` (exit 2). A crashed run's cut-off last line
 * is left out, as `readJournal` does.
 */
export async function loadRunJournals(dir: string): Promise<JournalEvent[][]> {
  if (await isFile(join(dir, JOURNAL))) return [(await readJournal(join(dir, JOURNAL))).events]
  let entries: string[]
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    throw new DoraRunsNotFoundError(dir)
  }
  const journals: JournalEvent[][] = []
  for (const name of entries.sort()) {
    const file = join(dir, name, JOURNAL)
    if (await isFile(file)) journals.push((await readJournal(file)).events)
  }
  if (journals.length === 0) throw new DoraRunsNotFoundError(dir)
  return journals
}
