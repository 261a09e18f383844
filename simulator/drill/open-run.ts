import { randomBytes } from 'node:crypto'
import { access, cp, mkdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { Clock } from '../../record/clock/clock.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { JournalWriter } from '../../record/journal/journal-writer.ts'
import { readJournal } from '../../record/journal/read-journal.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import { DrillOutNotEmptyError } from './drill-errors.ts'
import { DrillJournal } from './drill-journal.ts'

/** A drill's run: its id, its directory and its open journal. */
export interface OpenRun {
  /** `<UTC start>-<scenario>-<6 hex>`, so run directories sort by start time. */
  runId: string
  outDir: string
  journalFile: string
  journal: DrillJournal
}

/**
 * Makes a drill's run directory (`outDir`, default `.firedrill/runs/<run-id>/` under the working directory),
 * copies the scenario into it and opens its journal. A directory that already holds a journal is
 * `DrillOutNotEmptyError`: a run never writes over another.
 */
export async function openRun(
  loaded: LoadedScenario,
  clock: Clock,
  startedAt: number,
  outDir: string | undefined,
): Promise<OpenRun> {
  const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
  const runId = `${stamp}-${loaded.name}-${randomBytes(3).toString('hex')}`
  const dir = resolve(outDir ?? join(process.cwd(), '.firedrill', 'runs', runId))
  const journalFile = join(dir, 'journal.jsonl')
  if (await exists(journalFile)) throw new DrillOutNotEmptyError(dir)
  await mkdir(dir, { recursive: true })
  await cp(loaded.dir, join(dir, 'scenario'), { recursive: true })
  const journal = new DrillJournal(await JournalWriter.create(journalFile, { clock }))
  return { runId, outDir: dir, journalFile, journal }
}

/** The run a `--again` run repeats, as its journal tells it. */
export interface RepeatedRun {
  runId: string
  dir: string
  /** The last commit that run deployed to production; null when its journal names none. */
  productionCommit: string | null
  /** The bad change's commit in that run's repository; null when its journal names none. */
  badCommit: string | null
}

/** The run a `--again` run repeats: its id and last production commit (from its journal) and its directory. */
export async function readRepeatedRun(dir: string): Promise<RepeatedRun> {
  const { events } = await readJournal(join(dir, 'journal.jsonl'))
  const runId = eventsOf(events, 'drill.started')[0]?.data.runId ?? basename(dir)
  const deployed = eventsOf(events, 'change.deployed').filter((e) => e.data.environment === 'production')
  return {
    runId,
    dir: resolve(dir),
    productionCommit: deployed.at(-1)?.data.commit ?? null,
    badCommit: eventsOf(events, 'change.committed')[0]?.data.commit ?? null,
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

/** The drill's progress line: each line said with the seconds since the drill started, to `progress` if given. */
export function progressSayer(
  progress: ((line: string) => void) | undefined,
  clock: { now(): number },
  startedAt: number,
): (line: string) => void {
  const seconds = () => ((clock.now() - startedAt) / 1000).toFixed(1).padStart(6)
  return (line) => progress?.(`[${seconds()}s] ${line}`)
}
