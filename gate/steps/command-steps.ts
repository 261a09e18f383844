import { access, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JunitCase } from '../../record/junit/junit-xml.ts'
import { JUNIT_LIMITS, parseJunit } from '../../record/junit/parse-junit.ts'
import { vitestGateConfig } from '../runner/vitest-gate-config.ts'
import { readStepFile } from '../step-sandbox/read-step-file.ts'
import type { StepProcess } from '../step-sandbox/step-launcher.ts'
import { nativeTsc } from './native-tsc.ts'
import type { StepContext, StepOutcome } from './step-context.ts'
import {
  BUILD_INFO,
  prepareBuildInfo,
  saveTypecheckCache,
  typecheckCacheFile,
  typecheckProject,
  typecheckSeedFile,
} from './typecheck-cache.ts'

async function tool(dir: string, name: string): Promise<string | undefined> {
  const bin = join(dir, 'node_modules', '.bin', name)
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
  proc: StepProcess,
  command: string,
  args: readonly string[],
  options: { shell: boolean; redis: boolean },
): Promise<StepOutcome> {
  const result = await proc.run(command, args, { ...options, timeoutMs: ctx.step.timeoutMs })
  const outputTail = result.output.tail()
  if (result.status === 'passed') return { status: 'passed', outputTail }
  if (result.status === 'timed-out')
    return { status: 'timed-out', outputTail, reason: `exceeded its timeout of ${ctx.step.timeoutMs} ms` }
  return { status: 'failed', outputTail, reason: `exited with code ${result.exitCode ?? 'none (killed)'}` }
}

/** A `run:` step: the command through `sh -c` in the step's copy, with `node_modules/.bin` on PATH. */
export async function runCommandStep(ctx: StepContext): Promise<StepOutcome> {
  const proc = await ctx.launcher.prepare(ctx.step.name)
  return outcomeOf(ctx, proc, ctx.step.run ?? 'false', [], { shell: true, redis: false })
}

/**
 * `typecheck`: the repository's own TypeScript (from TypeScript 7 on, its native compiler started directly, see
 * `nativeTsc`), `tsc --noEmit -p tsconfig.json`, incremental with build info
 * at a path the gate chooses (the commit's tsconfig cannot name another), cleared of whatever the commit put
 * there. In the sandbox that state is carried from one gate run of the repository to the next, so only what a
 * commit changes, and what depends on it, is checked again; a repository's first run starts from the user's
 * seed (the state the last sandboxed typecheck left, whichever repository it was). Without the sandbox every run starts cold: a step's
 * code could otherwise reach the kept state.
 */
export async function typecheckStep(ctx: StepContext): Promise<StepOutcome> {
  const cache = ctx.launcher.sandboxed ? await typecheckCacheFile(ctx.repo, ctx.step.name) : undefined
  const proc = await ctx.launcher.prepare(ctx.step.name)
  const seed = ctx.launcher.sandboxed
    ? typecheckSeedFile(ctx.step.name, await typecheckProject(proc.dir))
    : undefined
  const tsc = (await nativeTsc(proc.dir)) ?? (await tool(proc.dir, 'tsc'))
  if (tsc === undefined) return missingTool('tsc', 'typescript')
  await prepareBuildInfo(proc.dir, cache, seed)
  const args = ['--noEmit', '--incremental', '--tsBuildInfoFile', BUILD_INFO, '-p', 'tsconfig.json']
  const outcome = await outcomeOf(ctx, proc, tsc, args, { shell: false, redis: false })
  if (cache !== undefined && outcome.status !== 'timed-out')
    await saveTypecheckCache(proc.dir, cache, ...(seed === undefined ? [] : [seed]))
  return outcome
}

/**
 * Whether the step's vite can load a config without writing a bundled copy into node_modules (vite 6.1 and
 * later), which the sandbox mounts read-only.
 */
async function runnerConfigLoader(dir: string): Promise<boolean> {
  try {
    const { version } = JSON.parse(await readFile(join(dir, 'node_modules', 'vite', 'package.json'), 'utf8'))
    const [major = 0, minor = 0] = String(version).split('.').map(Number)
    return major > 6 || (major === 6 && minor >= 1)
  } catch {
    return false
  }
}

/**
 * `unit-tests` / `contract-tests`: the repository's own vitest on `with.paths` (all tests when none given),
 * with a Redis of the step's own; with `with.isolate: false`, the test files share one worker (vitest's
 * `--no-isolate`), which saves starting one per file.
 */
export async function vitestStep(ctx: StepContext): Promise<StepOutcome> {
  const proc = await ctx.launcher.prepare(ctx.step.name)
  const vitest = await tool(proc.dir, 'vitest')
  if (vitest === undefined) return missingTool('vitest', 'vitest')
  const config = await vitestGateConfig(proc.dir)
  const configArgs = [
    ...(config === undefined ? [] : ['--config', config]),
    ...((await runnerConfigLoader(proc.dir)) ? ['--configLoader', 'runner'] : []),
  ]
  // vitest writes its own JUnit beside the run, so the gate's report counts the tests, not the step.
  const report = join(proc.dir, TEST_REPORT)
  // Only what this run writes there counts, never a file the commit brought.
  await rm(report, { force: true, recursive: true })
  const reporterArgs = ['--reporter=default', '--reporter=junit', `--outputFile.junit=${report}`]
  const outcome = await outcomeOf(
    ctx,
    proc,
    vitest,
    [
      'run',
      ...configArgs,
      ...(ctx.step.isolate === false ? ['--no-isolate'] : []),
      ...reporterArgs,
      ...(ctx.step.paths ?? []),
    ],
    { shell: false, redis: true },
  )
  const tests = await readTestReport(report)
  return tests === undefined ? outcome : { ...outcome, tests }
}

const TEST_REPORT = '.firedrill-gate-junit.xml'

/**
 * The test cases a test step's runner reported, or undefined when it wrote no readable report (it crashed, timed
 * out, or wrote something else there): the code under test wrote the file, so it is read with a size bound and
 * never trusted for the step's verdict.
 */
export async function readTestReport(file: string): Promise<JunitCase[] | undefined> {
  const text = await readStepFile(file, JUNIT_LIMITS.bytes)
  if (text === undefined) return undefined
  const parsed = parseJunit(text)
  return parsed.ok ? parsed.cases : undefined
}
