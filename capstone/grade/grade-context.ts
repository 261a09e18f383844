import { readFile, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { GATE_FILE_NAME } from '../../gate/config/gate-file-schema.ts'
import { type GateFile, parseGateFile } from '../../gate/config/parse-gate-file.ts'
import { loadRuns } from '../../record/dora/load-run-journals.ts'
import { RUN_SANDBOX } from '../../record/dora/run-dora.ts'
import { git } from '../../record/git/git.ts'
import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import { CapstoneNotARepositoryError } from '../capstone-errors.ts'

/** One drill run found in the capstone: its journal, and the files and repository it left. */
export interface CapstoneRun {
  id: string
  dir: string
  events: JournalEvent[]
  scenario: string | null
  seed: number | null
  /** The run this one repeats (`run --again`), by id. */
  againOf: string | null
  /** The run's service repository, when it is there. */
  sandbox: string | null
  postmortemJson: string | null
  summaryJson: string | null
}

export interface GradeContext {
  /** The capstone repository's top directory. */
  repo: string
  trunk: string
  trunkCommit: string
  /** Trunk's gate file, or why it cannot be read. */
  gateFile: GateFile | { problem: string }
  runsDir: string
  runs: CapstoneRun[]
  env: NodeJS.ProcessEnv
  /** Run the forced-red demonstration. */
  demo: boolean
  now: Date
  progress(line: string): void
}

const exists = async (path: string) => (await stat(path).catch(() => null)) !== null

/** The gate file as `commit` holds it, or why it cannot be read. */
export async function gateFileAt(repo: string, commit: string): Promise<GateFile | { problem: string }> {
  let text: string
  try {
    text = await git(repo, ['show', `${commit}:${GATE_FILE_NAME}`])
  } catch {
    return { problem: `${commit.slice(0, 12)} has no ${GATE_FILE_NAME}` }
  }
  try {
    return parseGateFile(text, `${GATE_FILE_NAME} (${commit.slice(0, 12)})`)
  } catch (err) {
    if (isFiredrillError(err)) return { problem: err.message }
    throw err
  }
}

async function capstoneRun(dir: string, events: JournalEvent[]): Promise<CapstoneRun> {
  const started = eventsOf(events, 'drill.started')[0]
  const sandbox = join(dir, RUN_SANDBOX.dir)
  const file = (name: string) => join(dir, name)
  return {
    id: started?.data.runId ?? basename(dir),
    dir,
    events,
    scenario: started?.data.scenario ?? null,
    seed: started?.data.seed ?? null,
    againOf: started?.data.againOf?.runId ?? null,
    sandbox: (await exists(join(sandbox, '.git'))) ? sandbox : null,
    postmortemJson: (await exists(file('postmortem.json'))) ? file('postmortem.json') : null,
    summaryJson: (await exists(file('summary.json'))) ? file('summary.json') : null,
  }
}

/** The runs under `runsDir`, oldest first; none when the directory is missing or holds no run. */
async function capstoneRuns(runsDir: string): Promise<CapstoneRun[]> {
  try {
    const runs = await loadRuns(runsDir)
    return Promise.all(runs.map((r) => capstoneRun(r.dir, r.events)))
  } catch (err) {
    if (isFiredrillError(err)) return []
    throw err
  }
}

export interface GradeContextOptions {
  repo: string
  runsDir?: string
  env?: NodeJS.ProcessEnv
  demo?: boolean
  now?: Date
  progress?: (line: string) => void
}

/**
 * Reads what grading starts from: the repository's top and trunk (the gate file's, else `main`), trunk's gate
 * file and the runs (default `<repo>/.firedrill/runs`). Not a git repository, or no trunk, is an input error.
 */
export async function gradeContext(options: GradeContextOptions): Promise<GradeContext> {
  const dir = resolve(options.repo)
  let repo: string
  try {
    repo = await git(dir, ['rev-parse', '--show-toplevel'])
  } catch {
    throw new CapstoneNotARepositoryError(dir, 'it is not inside a git repository')
  }
  const atHead = await git(repo, ['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')
  const headGate = atHead === '' ? { problem: 'no commit yet' } : await gateFileAt(repo, atHead)
  const trunk = 'trunk' in headGate ? headGate.trunk : 'main'
  const trunkCommit = await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${trunk}`]).catch(
    () => '',
  )
  if (trunkCommit === '') throw new CapstoneNotARepositoryError(repo, `it has no trunk branch "${trunk}"`)
  const runsDir = resolve(options.runsDir ?? join(repo, '.firedrill', 'runs'))
  return {
    repo,
    trunk,
    trunkCommit,
    gateFile: await gateFileAt(repo, trunkCommit),
    runsDir,
    runs: await capstoneRuns(runsDir),
    env: options.env ?? process.env,
    demo: options.demo ?? true,
    now: options.now ?? new Date(),
    progress: options.progress ?? (() => {}),
  }
}

/** A JSON file of a run, or null when it is missing or unreadable. */
export async function readRunJson<T>(file: string | null): Promise<T | null> {
  if (file === null) return null
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch {
    return null
  }
}
