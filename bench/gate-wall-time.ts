import { appendFile, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GateResult } from '../gate/runner/gate-result.ts'
import { runGate } from '../gate/runner/run-gate.ts'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { git } from '../record/git/git.ts'
import { mintReleaseFlag } from '../simulator/drill/mint-release-flag.ts'

const GOAL_MS = 3_000

/**
 * Gate wall time on the shop: the shop's gate file on a fresh sandbox repository, per step and in total.
 * Cold is the first run in that sandbox; warm the runs after it, each on a new commit that changes one source
 * file, as a drill's fix or close-out follows its change (the typecheck's kept state and the OS file cache hold
 * what earlier runs read, but the commit is never one the gate has seen). `quick` runs one warm run instead of
 * three.
 */
export async function gateWallTime(quick: boolean): Promise<{ lines: string[] }> {
  const parent = await mkdtemp(join(tmpdir(), 'firedrill-bench-gate-'))
  try {
    const repo = await createSandboxRepo(join(parent, 'shop'))
    await mintReleaseFlag(repo, 'checkout.new-pricing', Date.now())
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.FIREDRILL_GATE_KEY
    const loadBefore = loadavg()[0]!
    const runs: GateResult[] = []
    const edited = join(repo.dir, 'services', 'api', 'api-errors.ts')
    for (let i = 0; i < (quick ? 2 : 4); i++) {
      if (i > 0) {
        await appendFile(edited, `// bench edit ${i}\n`)
        await git(repo.dir, ['commit', '-q', '-am', `chore: bench edit ${i}`])
      }
      runs.push((await runGate({ repo: repo.dir, env })).result)
    }
    const [cold, ...warm] = runs as [GateResult, ...GateResult[]]
    const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b)
      return s[Math.floor((s.length - 1) / 2)]!
    }
    const warmOf = (pick: (r: GateResult) => number) => median(warm.map(pick))
    const width = Math.max(...cold.steps.map((s) => s.name.length), 'total'.length)
    const lines = [
      `gate wall time, the shop's gate (${cold.steps.length} steps, 2 at a time), cold = first run in a fresh sandbox, warm = median of ${warm.length}`,
      ...cold.steps.map(
        (s, i) =>
          `  ${s.name.padEnd(width)}  cold ${sec(s.durationMs).padStart(6)}  warm ${sec(warmOf((r) => r.steps[i]!.durationMs)).padStart(6)}  ${s.status}`,
      ),
      `  ${'total'.padEnd(width)}  cold ${sec(cold.durationMs).padStart(6)}  warm ${sec(warmOf((r) => r.durationMs)).padStart(6)}  goal: warm under ${sec(GOAL_MS)}`,
      `  warm / goal  ${(warmOf((r) => r.durationMs) / GOAL_MS).toFixed(2)}x; warm / cold ${(warmOf((r) => r.durationMs) / cold.durationMs).toFixed(2)}x`,
      `  machine load (1-minute average) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`,
    ]
    if (runs.some((r) => !r.green)) lines.push('  NOTE: a run was red; figures are for a failing gate')
    return { lines }
  } finally {
    await rm(parent, { recursive: true, force: true })
  }
}
