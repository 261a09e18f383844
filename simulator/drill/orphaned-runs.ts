import { access, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { allowRemoval } from '../../gate/build/artifact-permissions.ts'
import type { Clock } from '../../record/clock/clock.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { readJournal } from '../../record/journal/read-journal.ts'
import { isProcessAlive } from './run-process.ts'

/** A run whose process died without finishing it. */
export interface OrphanedRun {
  dir: string
  runId: string
  reason: string
}

/**
 * A journal without its last word (no `drill.finished`, no `drill.aborted`) whose process is gone: same host,
 * no live process with that pid and start time. A journal from before runs named their process counts once it
 * has not been written for `staleAfterMs`.
 */
export async function findOrphanedRun(
  dir: string,
  options: { staleAfterMs?: number } = {},
): Promise<OrphanedRun | null> {
  const file = join(dir, 'journal.jsonl')
  try {
    await access(file)
  } catch {
    return null
  }
  const { events } = await readJournal(file)
  if (eventsOf(events, 'drill.finished').length > 0 || eventsOf(events, 'drill.aborted').length > 0)
    return null
  const started = eventsOf(events, 'drill.started')[0]
  const runId = started?.data.runId ?? dir
  const recorded = started?.data.process
  const last = events.at(-1)
  const lastWords =
    last === undefined ? 'its journal is empty' : `its journal ends at ${last.type} (${last.at})`
  if (recorded !== undefined) {
    if (isProcessAlive(recorded)) return null
    return {
      dir,
      runId,
      reason: `crashed: the drill's process (pid ${recorded.pid} on ${recorded.host}) ended without finishing; ${lastWords}`,
    }
  }
  const idleMs = Date.now() - (await stat(file)).mtimeMs
  if (idleMs < (options.staleAfterMs ?? 10 * 60_000)) return null
  return { dir, runId, reason: `crashed: the drill never finished; ${lastWords}` }
}

/**
 * Closes a crashed run's journal with `drill.aborted` (condition `crashed`) and makes its directory removable
 * with a plain `rm -rf`. Returns the run, or null when it is not orphaned.
 */
export async function closeOrphanedRun(dir: string, clock: Clock): Promise<OrphanedRun | null> {
  const orphan = await findOrphanedRun(dir)
  if (orphan === null) return null
  const journal = await JournalWriter.resume(join(dir, 'journal.jsonl'), { clock })
  try {
    await journal.append({ type: 'drill.aborted', data: { reason: orphan.reason, condition: 'crashed' } })
  } finally {
    await journal.close()
  }
  await allowRemoval(join(dir, 'artifacts'))
  return orphan
}

/** Closes every orphaned run under a runs folder (`.firedrill/runs`); a folder that is not there has none. */
export async function closeOrphanedRuns(runsDir: string, clock: Clock): Promise<OrphanedRun[]> {
  let entries: string[]
  try {
    entries = await readdir(runsDir)
  } catch {
    return []
  }
  const closed: OrphanedRun[] = []
  for (const entry of entries.sort()) {
    try {
      const orphan = await closeOrphanedRun(join(runsDir, entry), clock)
      if (orphan !== null) closed.push(orphan)
    } catch {
      // an unreadable run is left for `firedrill report` to explain
    }
  }
  return closed
}
