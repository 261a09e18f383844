import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { isRedStep, type StepResult } from '../runner/gate-result.ts'
import { resolveCommit } from '../runner/resolve-commit.ts'
import { type GateEvent, runGate } from '../runner/run-gate.ts'
import type { SandboxMode } from '../step-sandbox/sandbox-state.ts'
import { isTestFile } from './is-test-file.ts'

/** Where a recorded replay commit is kept reachable (`refs/firedrill/replays/<commit>`). */
export const REPLAY_REF_PREFIX = 'refs/firedrill/replays/'

export interface ReplayBadChangeOptions {
  /** A directory inside the repository. */
  repo: string
  trunk: string
  /** The bad change's own commit (a merge is replayed as everything it brought in). */
  badCommit: string
  /** Write the replay's run into the ledger, and keep the replay commit under a ref. @defaultValue false */
  record?: boolean
  /** Where REDIS_URL (and, with `record`, the signing key) are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** The replay's sandbox. @defaultValue 'auto' */
  sandbox?: SandboxMode
  now?: () => Date
  /** The replay's gate steps as they start and finish. */
  onEvent?: (event: GateEvent) => void
}

export interface ReplayOutcome {
  /** The commit the gate ran on: trunk's head with the bad change's code put back. */
  replayCommit: string
  trunkCommit: string
  /** Files put back from the bad commit (deleted ones included). */
  replayed: string[]
  /** The replay's tree is trunk's own: trunk still holds the bad change's code, so red proves nothing. */
  sameAsTrunk: boolean
  green: boolean
  /** Blocking steps that did not pass (skipped ones only when nothing else failed). */
  blockedBy: string[]
  steps: StepResult[]
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

/** The files `commit` changed against its first parent (or against nothing, for a root commit). */
async function changedFiles(top: string, commit: string): Promise<{ status: string; path: string }[]> {
  const parent = await git(top, ['rev-parse', '--verify', '--quiet', `${commit}^1`]).catch(() => EMPTY_TREE)
  const out = await git(top, ['diff', '--name-status', '--no-renames', '-z', parent, commit])
  const fields = out.split('\0').filter((f) => f !== '')
  const files: { status: string; path: string }[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) files.push({ status: fields[i]!, path: fields[i + 1]! })
  return files
}

/**
 * Builds the replay commit with a private index, so neither the user's work tree nor their index changes:
 * trunk's tree, with every non-test file the bad commit changed put back as the bad commit has it. The gate
 * file stays trunk's: the question is whether today's gate stops the old code.
 */
export async function buildReplayCommit(
  top: string,
  trunkCommit: string,
  badCommit: string,
  message?: string,
): Promise<{ commit: string; replayed: string[]; sameAsTrunk: boolean }> {
  const files = (await changedFiles(top, badCommit)).filter(
    (f) => !isTestFile(f.path) && f.path !== GATE_FILE_NAME,
  )
  const scratch = await mkdtemp(join(tmpdir(), 'firedrill-replay-'))
  const env = { GIT_INDEX_FILE: join(scratch, 'index') }
  try {
    await git(top, ['read-tree', trunkCommit], env)
    for (const file of files) {
      if (file.status === 'D') {
        await git(top, ['update-index', '--force-remove', '--', file.path], env)
        continue
      }
      const entry = await git(top, ['ls-tree', '-z', badCommit, '--', file.path])
      const [meta] = entry.split('\t')
      const [mode, , blob] = (meta ?? '').split(' ')
      if (mode === undefined || blob === undefined) continue
      await git(top, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file.path}`], env)
    }
    const tree = await git(top, ['write-tree'], env)
    const subject = await git(top, ['log', '-1', '--format=%s', badCommit])
    const commit = await git(top, [
      'commit-tree',
      tree,
      '-p',
      trunkCommit,
      '-m',
      message ??
        `replay: ${subject}\n\nThe code of ${badCommit} put back on ${trunkCommit}, tests as trunk has them.`,
    ])
    const trunkTree = await git(top, ['rev-parse', `${trunkCommit}^{tree}`])
    return { commit, replayed: files.map((f) => f.path), sameAsTrunk: tree === trunkTree }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * The loop check: trunk's head with the bad change's code put back (not the tests added since) goes through
 * the gate, which must be red. The replay commit is made without touching the checked-out work tree. By
 * default nothing is recorded and the commit is left unreferenced (git's gc removes it); with `record` the run
 * goes into the ledger and the commit is kept under `refs/firedrill/replays/`.
 */
export async function replayBadChange(options: ReplayBadChangeOptions): Promise<ReplayOutcome> {
  const { top, commit: trunkCommit } = await resolveCommit(options.repo, options.trunk)
  const { commit: badCommit } = await resolveCommit(top, options.badCommit)
  const { commit: replayCommit, replayed, sameAsTrunk } = await buildReplayCommit(top, trunkCommit, badCommit)
  const record = options.record ?? false
  if (record) await git(top, ['update-ref', `${REPLAY_REF_PREFIX}${replayCommit}`, replayCommit])
  const { result } = await runGate({
    repo: top,
    ref: replayCommit,
    trunk: options.trunk,
    record,
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  })
  const red = result.steps.filter(isRedStep)
  const failed = red.filter((s) => s.status !== 'skipped')
  return {
    replayCommit,
    trunkCommit,
    replayed,
    sameAsTrunk,
    green: result.green,
    blockedBy: (failed.length > 0 ? failed : red).map((s) => s.name),
    steps: result.steps,
  }
}
