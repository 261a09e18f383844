import { createHash } from 'node:crypto'
import { delimiter, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { provisionRedis, type RedisHandle } from '../../services/platform/redis/redis-provisioner.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { type GateFile, type GateStep, parseGateFile } from '../config/parse-gate-file.ts'
import { GateFileMissingError } from '../gate-errors.ts'
import { GATE_KEY_ENV, gateKey } from '../ledger/gate-key.ts'
import { writeRecord } from '../ledger/gate-ledger.ts'
import { type GateRecord, recordOf } from '../ledger/gate-record.ts'
import { git } from '../sandbox/git.ts'
import { cfrGovernorStep } from '../steps/cfr-governor-step.ts'
import { runCommandStep, typecheckStep, vitestStep } from '../steps/command-steps.ts'
import { flagDebtStep } from '../steps/flag-debt-step.ts'
import { flagInventoryStep } from '../steps/flag-inventory-step.ts'
import { secretScanStep } from '../steps/secret-scan-step.ts'
import type { StepContext, StepOutcome } from '../steps/step-context.ts'
import { type GateResult, isRedStep, type StepResult } from './gate-result.ts'
import { createGateWorktree } from './gate-worktree.ts'
import { resolveCommit } from './resolve-commit.ts'
import { scheduleSteps } from './schedule-steps.ts'
import { vitestGateConfig } from './vitest-gate-config.ts'

export type GateEvent =
  | { type: 'step-started'; step: GateStep }
  | { type: 'step-finished'; result: StepResult }

export interface RunGateOptions {
  /** A directory inside the repository. */
  repo: string
  /** @defaultValue 'HEAD' */
  ref?: string
  /** Where FIREDRILL_GATE_KEY and REDIS_URL are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** @defaultValue () => new Date() */
  now?: () => Date
  /** Steps running at once. @defaultValue 2 */
  concurrency?: number
  /** Write the run into the ledger. @defaultValue true */
  record?: boolean
  onEvent?: (event: GateEvent) => void
}

export interface GateRun {
  result: GateResult
  /** The ledger record written (undefined when `record` is false). */
  record: GateRecord | undefined
}

const TEST_STEPS = new Set(['unit-tests', 'contract-tests'])

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

function runBuiltIn(ctx: StepContext, now: Date): Promise<StepOutcome> {
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
 * Runs the gate on exactly one commit: resolves `ref`, reads the gate file from that commit, checks the commit
 * out into a clean worktree, runs the steps (independent ones in parallel), signs the result and stores it in
 * the ledger as a note on the commit. Red is a result, not an error; errors are for what stops the gate from
 * running at all (bad gate file, unknown ref, no Redis for test steps).
 */
export async function runGate(options: RunGateOptions): Promise<GateRun> {
  const ref = options.ref ?? 'HEAD'
  const env = options.env ?? process.env
  const now = options.now ?? (() => new Date())
  const runAt = now()
  const startedAt = runAt.toISOString()
  const started = performance.now()
  const { top, commit, tree } = await resolveCommit(options.repo, ref)
  const { gateFile, sha256 } = await readGateFileAt(top, commit)
  const { key } = await gateKey(top, env)

  const needsTests = gateFile.steps.some((s) => TEST_STEPS.has(s.kind))
  let redis: RedisHandle | undefined
  const worktree = await createGateWorktree(top, commit)
  try {
    if (needsTests) redis = await provisionRedis({ env })
    const vitestConfig = needsTests ? await vitestGateConfig(worktree.dir) : undefined
    const stepEnv: NodeJS.ProcessEnv = {
      ...env,
      CI: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      PATH: `${join(worktree.dir, 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}`,
      ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
    }
    // The commit under test runs code of its own: it never sees the key that signs its record.
    delete stepEnv[GATE_KEY_ENV]

    const runStep = async (step: GateStep): Promise<StepResult> => {
      options.onEvent?.({ type: 'step-started', step })
      const t0 = performance.now()
      let outcome: StepOutcome
      try {
        outcome = await runBuiltIn({ step, worktree: worktree.dir, env: stepEnv, vitestConfig }, runAt)
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
    const steps = await scheduleSteps(gateFile.steps, options.concurrency ?? 2, runStep, skipStep)
    const result: GateResult = {
      ref,
      commit,
      tree,
      gateFile: sha256,
      steps,
      green: !steps.some(isRedStep),
      durationMs: Math.round(performance.now() - started),
      startedAt,
    }
    let record: GateRecord | undefined
    if (options.record ?? true) {
      record = recordOf(result, key)
      await writeRecord(top, record)
    }
    return { result, record }
  } finally {
    await worktree.remove()
    await redis?.stop()
  }
}
