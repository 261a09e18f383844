import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { git } from '../../record/git/git.ts'
import { provisionRedis, type RedisHandle } from '../../services/platform/redis/redis-provisioner.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { type GateFile, type GateStep, parseGateFile } from '../config/parse-gate-file.ts'
import { resolveTrunk } from '../config/resolve-trunk.ts'
import { GateFileMissingError } from '../gate-errors.ts'
import { writeRecord } from '../ledger/gate-ledger.ts'
import { type GateRecord, recordOf } from '../ledger/gate-record.ts'
import { loadGateSigner } from '../ledger/gate-signer.ts'
import { chooseSandbox } from '../step-sandbox/choose-sandbox.ts'
import { probeBubblewrap } from '../step-sandbox/probe-bubblewrap.ts'
import type { SandboxMode } from '../step-sandbox/sandbox-state.ts'
import { StepLauncher } from '../step-sandbox/step-launcher.ts'
import { cfrGovernorStep } from '../steps/cfr-governor-step.ts'
import { runCommandStep, typecheckStep, vitestStep } from '../steps/command-steps.ts'
import { flagDebtStep } from '../steps/flag-debt-step.ts'
import { flagInventoryStep } from '../steps/flag-inventory-step.ts'
import { GATE_FILE_CHANGE_STEP, gateFileChangeStep } from '../steps/gate-file-change-step.ts'
import { secretScanStep } from '../steps/secret-scan-step.ts'
import type { StepContext, StepOutcome } from '../steps/step-context.ts'
import { type GateResult, isRedStep, type StepResult } from './gate-result.ts'
import { createGateWorktree } from './gate-worktree.ts'
import { resolveCommit } from './resolve-commit.ts'
import { scheduleSteps } from './schedule-steps.ts'

export type GateEvent =
  | { type: 'step-started'; step: GateStep }
  | { type: 'step-finished'; result: StepResult }

export interface RunGateOptions {
  /** A directory inside the repository. */
  repo: string
  /** @defaultValue 'HEAD' */
  ref?: string
  /**
   * The branch whose gate file (the steps) and firedrill-gate.pub (the keys) judge the commit.
   * @defaultValue the trunk the gate file on `main` names (see resolveTrunk)
   */
  trunk?: string
  /**
   * Where the signing key (FIREDRILL_GATE_SIGNING_KEY, or the key file under XDG_CONFIG_HOME or HOME) and
   * REDIS_URL are read. Steps never see it: they get an environment built from nothing.
   * @defaultValue process.env
   */
  env?: NodeJS.ProcessEnv
  /** @defaultValue () => new Date() */
  now?: () => Date
  /** Steps running at once. @defaultValue 2 */
  concurrency?: number
  /** Write the run into the ledger (and so load the signing key). @defaultValue true */
  record?: boolean
  /** Run the commit's code in the bubblewrap sandbox: where possible, always, or never. @defaultValue 'auto' */
  sandbox?: SandboxMode
  /** The bubblewrap executable. @defaultValue 'bwrap', found on the PATH */
  bubblewrap?: string
  onEvent?: (event: GateEvent) => void
}

export interface GateRun {
  result: GateResult
  /** The ledger record written (undefined when `record` is false). */
  record: GateRecord | undefined
}

/** Reads and validates the gate file as `commit` holds it; returns it with its sha256. */
export async function readGateFileAt(
  top: string,
  commit: string,
): Promise<{ gateFile: GateFile; sha256: string }> {
  let text: string
  try {
    text = await git(top, ['show', `${commit}:${GATE_FILE_NAME}`])
  } catch {
    throw new GateFileMissingError(GATE_FILE_NAME, commit)
  }
  return {
    gateFile: parseGateFile(text, `${GATE_FILE_NAME} (commit ${commit.slice(0, 12)})`),
    sha256: createHash('sha256').update(text).digest('hex'),
  }
}

/** Trunk (see resolveTrunk), the commit it stands at, and its gate file with that file's sha256. */
async function readTrunkGateFile(
  top: string,
  given: string | undefined,
): Promise<{ trunk: string; trunkCommit: string; gateFile: GateFile; sha256: string }> {
  const trunk = await resolveTrunk(top, given)
  const trunkCommit = await git(top, ['rev-parse', `${trunk}^{commit}`])
  return { trunk, trunkCommit, ...(await readGateFileAt(top, trunkCommit)) }
}

/** The sha256 of the gate file as `commit` holds it, or undefined when it holds none. */
async function gateFileSha(top: string, commit: string): Promise<string | undefined> {
  const text = await git(top, ['show', `${commit}:${GATE_FILE_NAME}`]).catch(() => undefined)
  return text === undefined ? undefined : createHash('sha256').update(text).digest('hex')
}

function runBuiltIn(ctx: StepContext, now: Date, trunkGate: GateFile): Promise<StepOutcome> {
  switch (ctx.step.kind) {
    case 'run':
      return runCommandStep(ctx)
    case 'typecheck':
      return typecheckStep(ctx)
    case 'unit-tests':
    case 'contract-tests':
      return vitestStep(ctx)
    case 'secret-scan':
      return withTimeout(ctx, secretScanStep(ctx))
    case 'flag-inventory':
      return withTimeout(ctx, flagInventoryStep(ctx))
    case 'flag-debt':
      return withTimeout(ctx, flagDebtStep(ctx))
    case 'cfr-governor':
      return withTimeout(ctx, cfrGovernorStep(ctx, now))
    case 'gate-file':
      return withTimeout(ctx, gateFileChangeStep(ctx, trunkGate))
  }
}

/** In-process steps honour their timeout too. */
async function withTimeout(ctx: StepContext, work: Promise<StepOutcome>): Promise<StepOutcome> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'timed-out',
          outputTail: '',
          reason: `exceeded its timeout of ${ctx.step.timeoutMs} ms`,
        }),
      ctx.step.timeoutMs,
    )
  })
  try {
    return await Promise.race([work, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs the gate on exactly one commit: resolves `ref` and trunk, takes the steps from trunk's gate file (a change
 * never judges itself: one that edits the gate file also gets the `gate-file-change` check), checks the commit out
 * into a clean worktree, runs the steps (independent ones in parallel; those that run the commit's code each on
 * their own copy, in the sandbox where the machine allows it, always with an environment built from nothing),
 * signs the result with the gate's Ed25519 key as an in-toto statement in a DSSE envelope and stores it in the
 * ledger as a note on the commit. Red is a result, not an error; errors are for what stops the gate from
 * running at all (bad gate file, unknown ref or trunk, no usable key, a required sandbox missing).
 */
export async function runGate(options: RunGateOptions): Promise<GateRun> {
  const ref = options.ref ?? 'HEAD'
  const env = options.env ?? process.env
  const now = options.now ?? (() => new Date())
  const runAt = now()
  const startedAt = runAt.toISOString()
  const started = performance.now()
  const { top, commit, tree } = await resolveCommit(options.repo, ref)
  // The commit is checked out, the steps' scratch made and bubblewrap tried while trunk's gate file is read;
  // the checkout and the scratch are removed whatever happens next.
  const worktreeMade = createGateWorktree(top, commit)
  const scratchMade = mkdtemp(join(tmpdir(), 'firedrill-gate-steps-'))
  for (const made of [worktreeMade, scratchMade]) made.catch(() => {})
  if ((options.sandbox ?? 'auto') !== 'off') void probeBubblewrap(options.bubblewrap, env.PATH)
  let redis: Promise<RedisHandle> | undefined
  try {
    const [{ trunk, trunkCommit, gateFile, sha256 }, commitGateFile] = await Promise.all([
      readTrunkGateFile(top, options.trunk),
      gateFileSha(top, commit),
    ])
    const steps: GateStep[] = [...gateFile.steps]
    if (commitGateFile !== sha256) {
      // Named so it cannot collide with one of trunk's own steps.
      let name = GATE_FILE_CHANGE_STEP.name
      for (let n = 2; steps.some((s) => s.name === name); n++) name = `${GATE_FILE_CHANGE_STEP.name}-${n}`
      steps.push({ ...GATE_FILE_CHANGE_STEP, name })
    }
    const sandbox = await chooseSandbox(
      options.sandbox ?? 'auto',
      gateFile.sandbox,
      options.bubblewrap,
      env.PATH,
    )
    // Loaded before any step runs, and kept in this process only.
    const signer = (options.record ?? true) ? await loadGateSigner(env, top) : undefined
    const worktree = await worktreeMade
    const scratch = await scratchMade
    const launcher = new StepLauncher({
      checkout: worktree.dir,
      scratch,
      sandbox: sandbox.state,
      ...(sandbox.bwrap === undefined ? {} : { bwrap: sandbox.bwrap }),
      env,
      hostRedis: async () => {
        redis ??= provisionRedis({ env })
        return (await redis).url
      },
    })

    const runStep = async (step: GateStep): Promise<StepResult> => {
      options.onEvent?.({ type: 'step-started', step })
      const t0 = performance.now()
      let outcome: StepOutcome
      try {
        outcome = await runBuiltIn(
          { step, worktree: worktree.dir, repo: top, commit, launcher },
          runAt,
          gateFile,
        )
      } catch (err) {
        outcome = { status: 'error', outputTail: '', reason: (err as Error).message }
      }
      const result: StepResult = {
        name: step.name,
        kind: step.kind,
        blocking: step.blocking,
        status: outcome.status,
        durationMs: Math.round(performance.now() - t0),
        outputTail: outcome.outputTail,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
        ...(outcome.tests === undefined ? {} : { tests: outcome.tests }),
      }
      options.onEvent?.({ type: 'step-finished', result })
      return result
    }
    const skipStep = (step: GateStep, unmet: string): StepResult => {
      const result: StepResult = {
        name: step.name,
        kind: step.kind,
        blocking: step.blocking,
        status: 'skipped',
        durationMs: 0,
        outputTail: '',
        reason: `needs "${unmet}", which did not pass`,
      }
      options.onEvent?.({ type: 'step-finished', result })
      return result
    }
    const results = await scheduleSteps(steps, options.concurrency ?? 2, runStep, skipStep)
    const result: GateResult = {
      ref,
      commit,
      tree,
      gateFile: sha256,
      policy: { file: GATE_FILE_NAME, sha256, trunk, trunkCommit },
      sandbox: sandbox.state,
      steps: results,
      green: !results.some(isRedStep),
      durationMs: Math.round(performance.now() - started),
      startedAt,
    }
    let record: GateRecord | undefined
    if (signer !== undefined) {
      const signed = recordOf(result, signer)
      await writeRecord(top, commit, signed.envelope)
      record = signed.record
    }
    return { result, record }
  } finally {
    await (await worktreeMade.catch(() => undefined))?.remove()
    const scratch = await scratchMade.catch(() => undefined)
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
    if (redis !== undefined) await (await redis.catch(() => undefined))?.stop()
  }
}
