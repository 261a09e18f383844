import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { runProcess } from '../runner/run-process.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

async function tool(worktree: string, name: string): Promise<string | undefined> {
  const bin = join(worktree, 'node_modules', '.bin', name)
  try {
    await access(bin)
    return bin
  } catch {
    return undefined
  }
}

function missingTool(name: string, pkg: string): StepOutcome {
  return {
    status: 'error',
    outputTail: '',
    reason: `node_modules/.bin/${name} is missing: install ${pkg} in the repository (npm install --save-dev ${pkg})`,
  }
}

async function outcomeOf(
  ctx: StepContext,
  command: string,
  args: readonly string[],
  shell: boolean,
): Promise<StepOutcome> {
  const result = await runProcess(command, args, {
    cwd: ctx.worktree,
    env: ctx.env,
    timeoutMs: ctx.step.timeoutMs,
    shell,
  })
  const outputTail = result.output.tail()
  if (result.status === 'passed') return { status: 'passed', outputTail }
  if (result.status === 'timed-out')
    return { status: 'timed-out', outputTail, reason: `exceeded its timeout of ${ctx.step.timeoutMs} ms` }
  return { status: 'failed', outputTail, reason: `exited with code ${result.exitCode ?? 'none (killed)'}` }
}

/** A `run:` step: the command through `sh -c` in the worktree, with `node_modules/.bin` on PATH. */
export function runCommandStep(ctx: StepContext): Promise<StepOutcome> {
  return outcomeOf(ctx, ctx.step.run ?? 'false', [], true)
}

/** `typecheck`: the repository's own TypeScript, `tsc --noEmit -p tsconfig.json`. */
export async function typecheckStep(ctx: StepContext): Promise<StepOutcome> {
  const tsc = await tool(ctx.worktree, 'tsc')
  if (tsc === undefined) return missingTool('tsc', 'typescript')
  return outcomeOf(ctx, tsc, ['--noEmit', '-p', 'tsconfig.json'], false)
}

/** `unit-tests` / `contract-tests`: the repository's own vitest on `with.paths` (all tests when none given). */
export async function vitestStep(ctx: StepContext): Promise<StepOutcome> {
  const vitest = await tool(ctx.worktree, 'vitest')
  if (vitest === undefined) return missingTool('vitest', 'vitest')
  const config = ctx.vitestConfig === undefined ? [] : ['--config', ctx.vitestConfig]
  return outcomeOf(ctx, vitest, ['run', ...config, ...(ctx.step.paths ?? [])], false)
}
