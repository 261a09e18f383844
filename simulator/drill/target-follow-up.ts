import { mkdir, stat, symlink } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { LEDGER_NOTES_REF } from '../../gate/ledger/gate-ledger.ts'
import { installTrunkMergeHooks } from '../../gate/merge/trunk-merge-hook.ts'
import type { Clock } from '../../record/clock/clock.ts'
import { RUN_SANDBOX } from '../../record/dora/run-dora.ts'
import { git } from '../../record/git/git.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import type { LoadedTarget, TargetRepo } from '../../record/target/load-target.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { closeLoop } from './close-loop.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillOutcome } from './drill-options.ts'
import { inspectTargetRepo, type ReadyRepo } from './target-repo-checks.ts'

/** How the loop writes to the team's repository. */
export interface TargetLoopOptions {
  /**
   * Also fast-forward the team's trunk to the fix merged through the gate. Without it, only the fix's branch
   * and its gate record (the ledger's notes) are written there, for the team to merge. @defaultValue false
   */
  merge?: boolean
}

export interface TargetFollowUpOptions extends TargetLoopOptions {
  target: LoadedTarget
  /** The target's scenario as the drill ran it. */
  loaded: LoadedScenario
  status: DrillOutcome['status']
  runId: string
  journal: DrillJournal
  outDir: string
  clock: Clock
  say(line: string): void
  enter(phase: 'follow-up'): Promise<void>
}

/** The check the write to the team's repository is journalled as. */
export const WRITTEN_CHECK = "fix written to the team's repository"

/**
 * The loop on a target's own repository, after a recovered drill: the repository checked again, cloned into the
 * run (`sandbox/`, where `firedrill verify` looks), the change it names journalled, the team's fix (a patch, or a
 * branch's changes over trunk) committed with the postmortem item's `Refs:` trailer and run through the team's
 * gate, merged into the clone's trunk only when green, the items verified and the change replayed on that trunk
 * (all through `closeLoop`, as for the shop); then the fix's branch and its gate record written to the team's
 * repository, and with `merge` its trunk fast-forwarded. The team's work tree is never touched, except by that
 * fast-forward, which git refuses on a dirty tree. Without a repository, a fix, or a recovery, the journal says
 * why the loop was not run. Returns whether the loop closed; never throws.
 */
export async function targetFollowUp(options: TargetFollowUpOptions): Promise<boolean> {
  const { target, journal, say } = options
  const repo = target.repo
  const why =
    repo === undefined
      ? `the target names no repository (repo in ${target.file}), so the fix and the replay stay with the team`
      : options.status !== 'recovered'
        ? `the drill ended ${options.status}, so there is no incident to follow up`
        : repo.fix === undefined
          ? `the target names no fix (repo.fix in ${target.file})`
          : undefined
  if (repo === undefined || why !== undefined) {
    await journal.append({ type: 'loop.not-run', data: { reason: why ?? 'no repository' } })
    say(`loop not run: ${why}`)
    return false
  }
  await options.enter('follow-up')
  try {
    return await loopOn(repo, options)
  } catch (err) {
    const message = (err as Error).message
    await journal.append({ type: 'check.failed', data: { name: 'loop closed', evidence: {}, message } })
    say(`loop closed: no (${message})`)
    return false
  }
}

async function loopOn(repo: TargetRepo, options: TargetFollowUpOptions): Promise<boolean> {
  const { journal, say, outDir } = options
  // Checked again: the team may have committed or changed something while the drill ran.
  const { checks, ready } = await inspectTargetRepo(repo)
  if (ready === undefined) {
    const failed = checks.filter((c) => !c.ok)
    throw new Error(failed.map((c) => `${c.name}: ${c.detail}`).join('; '))
  }
  const sandbox = join(outDir, RUN_SANDBOX.dir)
  await cloneForLoop(ready, sandbox)
  say(
    `cloned ${ready.top} (${ready.trunk} at ${ready.trunkCommit.slice(0, 12)}) into the run; the loop works there`,
  )
  if (ready.change !== undefined)
    await journal.append({
      type: 'change.committed',
      data: {
        branch: ready.trunk,
        commit: ready.change,
        title: await git(sandbox, ['log', '-1', '--format=%s', ready.change]),
      },
    })

  const fix = await fixPatch(repo, ready, sandbox, outDir, options.target.dir)
  const closed = await closeLoop({
    loaded: options.loaded,
    repo: { dir: sandbox, trunk: ready.trunk },
    journal,
    outDir,
    clock: options.clock,
    say,
    fix,
  })
  const written = await writeBack(ready, sandbox, options)
  return closed && written
}

/**
 * A clone the run owns: every branch, tag and ledger note of the team's repository, trunk checked out, the
 * team's node_modules linked in (the gate's steps use it, as in the team's own checkout), and the hooks that
 * refuse a merge into trunk without a green gate record.
 */
async function cloneForLoop(ready: ReadyRepo, sandbox: string): Promise<void> {
  await mkdir(sandbox, { recursive: true })
  await git(sandbox, ['clone', '--quiet', '--no-checkout', ready.top, '.'])
  await git(sandbox, [
    'fetch',
    '--quiet',
    '--update-head-ok',
    'origin',
    '+refs/heads/*:refs/heads/*',
    '+refs/tags/*:refs/tags/*',
    `+${LEDGER_NOTES_REF}:${LEDGER_NOTES_REF}`,
  ]).catch(async () =>
    // A repository with no ledger yet has no notes to fetch.
    git(sandbox, [
      'fetch',
      '--quiet',
      '--update-head-ok',
      'origin',
      '+refs/heads/*:refs/heads/*',
      '+refs/tags/*:refs/tags/*',
    ]),
  )
  await git(sandbox, ['checkout', '--quiet', '--force', ready.trunk])
  const head = await git(sandbox, ['rev-parse', 'HEAD'])
  if (head !== ready.trunkCommit)
    throw new Error(
      `${ready.trunk} moved on while the drill ran (now ${head.slice(0, 12)}); run the drill again`,
    )
  const modules = join(ready.top, 'node_modules')
  if ((await stat(modules).catch(() => null))?.isDirectory())
    await symlink(modules, join(sandbox, 'node_modules'), 'dir')
  await installTrunkMergeHooks(sandbox, { trunk: ready.trunk })
}

/** The fix as a patch on trunk: the target's patch file, or the branch's changes over trunk (kept in the run). */
async function fixPatch(
  repo: TargetRepo,
  ready: ReadyRepo,
  sandbox: string,
  outDir: string,
  targetDir: string,
): Promise<{ patch: string; from: string }> {
  const fix = repo.fix!
  if ('patch' in fix) return { patch: fix.patch, from: `The team's fix, ${relative(targetDir, fix.patch)}.` }
  const head = await git(sandbox, ['rev-parse', '--verify', `refs/heads/${fix.branch}`])
  const diff = await git(sandbox, ['diff', '--binary', `${ready.trunkCommit}...${head}`])
  const patch = join(outDir, 'target', 'fix.patch')
  await mkdir(join(outDir, 'target'), { recursive: true })
  await writeFileAtomically(patch, `${diff}\n`)
  return { patch, from: `The team's fix, from branch ${fix.branch} at ${head.slice(0, 12)}.` }
}

/**
 * Writes the fix to the team's repository in one atomic push: its branch (under `firedrill/<run>/`, so no branch
 * of the team's is ever moved) and the ledger's notes (its gate record); with `merge`, and only when the gate
 * merged it, trunk too, as a fast-forward that git refuses when trunk moved on or its checked-out work tree has
 * changes. Journalled as a check either way.
 */
async function writeBack(
  ready: ReadyRepo,
  sandbox: string,
  options: TargetFollowUpOptions,
): Promise<boolean> {
  const { journal, say } = options
  const gated = eventsOf(journal.events, 'gate.finished').at(-1)
  const merged = eventsOf(journal.events, 'fix.merged').at(-1)
  const fixCommit = merged?.data.commit ?? (await git(sandbox, ['rev-parse', '--verify', '--quiet', 'HEAD']))
  const localBranch = merged?.data.branch ?? (await git(sandbox, ['symbolic-ref', '--short', 'HEAD']))
  if (gated === undefined || localBranch === ready.trunk) {
    // Nothing was committed (the patch did not apply): nothing to write.
    return false
  }
  const branch = `firedrill/${options.runId}/${localBranch}`
  const refspecs = [`${fixCommit}:refs/heads/${branch}`, `${LEDGER_NOTES_REF}:${LEDGER_NOTES_REF}`]
  const mergeTrunk = options.merge === true && merged !== undefined
  if (mergeTrunk) refspecs.push(`${merged.data.trunk}:refs/heads/${ready.trunk}`)
  const evidence = {
    repository: ready.top,
    branch,
    commit: fixCommit,
    ...(mergeTrunk ? { trunk: ready.trunk, merge: merged.data.trunk } : {}),
  }
  try {
    await git(sandbox, [
      'push',
      '--quiet',
      '--atomic',
      // A fast-forward of a checked-out trunk updates that work tree, and only when it is clean.
      '--receive-pack=git -c receive.denyCurrentBranch=updateInstead receive-pack',
      ready.top,
      ...refspecs,
    ])
  } catch (err) {
    const message = `${ready.top} refused the push (${(err as Error).message.split('\n')[0]}); the fix is on ${localBranch} in ${sandbox}`
    await journal.append({ type: 'check.failed', data: { name: WRITTEN_CHECK, evidence, message } })
    say(`${WRITTEN_CHECK}: no (${message})`)
    return false
  }
  await journal.append({ type: 'check.passed', data: { name: WRITTEN_CHECK, evidence } })
  say(
    mergeTrunk
      ? `the fix is on ${ready.trunk} in ${ready.top} (fast-forwarded to ${merged.data.trunk.slice(0, 12)}), and on branch ${branch}`
      : `the fix is on branch ${branch} in ${ready.top} with its gate record; merge it with: firedrill merge ${branch} --repo ${ready.top}`,
  )
  return true
}
