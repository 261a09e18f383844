import { RUN_SANDBOX } from '../../../record/dora/run-dora.ts'
import { demonstrateForcedRed, type ForcedRed } from '../forced-red/demonstrate-forced-red.ts'
import type { GradeContext } from '../grade-context.ts'
import { type Evidence, fail, type Judgement, notYet, pass } from '../grade-result.ts'
import type { RepoCopies } from '../repo-copies.ts'
import { type JudgedMerge, judgeCapstoneMerges, judgeRunMerges } from './trunk-merges.ts'

const short = (commit: string) => commit.slice(0, 12)

const SMALL_PR = [
  'git switch -c small-change   # edit, then git commit -am "…"',
  'npx firedrill gate --ref small-change',
  'npx firedrill merge small-change',
]

function mergeEvidence(m: JudgedMerge): Evidence {
  const detail =
    m.verdict.kind === 'green'
      ? `${m.where}: merge ${short(m.merge)} brought it in; gate green on ${short(m.verdict.recordCommit)}, recorded ${m.verdict.record.startedAt}`
      : `${m.where}: merge ${short(m.merge)} brought it in WITHOUT a green record: ${m.verdict.why}`
  return { kind: 'record', ref: m.head, detail }
}

function demoEvidence(r: ForcedRed): Evidence {
  if (r.cannot !== undefined) return { kind: 'demo', ref: r.step, detail: `cannot force it red: ${r.cannot}` }
  const outcome = [
    r.red
      ? `gate red (${r.redSteps?.join(', ')})`
      : `gate NOT red on it (red: ${r.redSteps?.join(', ') || 'none'})`,
    r.mergeRefused ? 'firedrill merge refused' : 'firedrill merge WENT THROUGH',
    r.gitMergeRefused ? 'git merge refused' : 'git merge WENT THROUGH',
    r.trunkUnmoved ? 'trunk did not move' : 'TRUNK MOVED',
  ]
  return {
    kind: 'demo',
    ref: r.step,
    detail: `${r.how}: ${outcome.join('; ')} (forced commit ${short(r.commit ?? '')})`,
  }
}

/**
 * Criterion 1: every merge into trunk (the capstone's, and each drill's) brought in a head with a green gate
 * record, at least one did; then, in a throwaway copy, each blocking step of trunk's gate file forced red in
 * turn must make the gate red and leave both ways of merging refused and trunk where it was.
 */
export async function judgeGateBlocksRed(ctx: GradeContext, copies: RepoCopies): Promise<Judgement> {
  const capstone = await copies.of(ctx.repo, ctx.trunk)
  const merges = await judgeCapstoneMerges(capstone, ctx.trunk)
  for (const run of ctx.runs) {
    if (run.sandbox === null) continue
    merges.push(
      ...(await judgeRunMerges(run, await copies.of(run.sandbox, RUN_SANDBOX.trunk), RUN_SANDBOX.trunk)),
    )
  }
  const evidence = merges.map(mergeEvidence)
  const bad = merges.filter((m) => m.verdict.kind !== 'green')
  if (bad.length > 0)
    return fail(`${bad.length} merge(s) into trunk brought in a head without a green gate record`, evidence, [
      'npx firedrill hook install   # refuse such merges from now on',
      ...SMALL_PR,
    ])
  if (merges.length === 0)
    return notYet('no merge into trunk has gone through the gate yet', evidence, SMALL_PR)
  if (!ctx.demo)
    return notYet(
      `${merges.length} merge(s) went through the gate green; the forced-red demonstration was skipped (--no-demo)`,
      evidence,
      ['npx firedrill grade   # without --no-demo'],
    )
  if ('problem' in ctx.gateFile)
    return fail(`trunk's gate file cannot be read: ${ctx.gateFile.problem}`, evidence, [
      'npx firedrill gate --ref main',
    ])
  const blocking = ctx.gateFile.steps.filter((s) => s.blocking)
  if (blocking.length === 0)
    return fail("trunk's gate file has no blocking step: nothing can block a merge", evidence, [
      'set blocking: true on the steps of firedrill-gate.yaml',
    ])
  const results: ForcedRed[] = []
  for (const step of blocking) {
    ctx.progress(`grade: forcing ${step.name} red in a throwaway copy, then trying to merge it`)
    results.push(
      await demonstrateForcedRed({
        dir: capstone,
        trunk: ctx.trunk,
        step,
        env: ctx.env,
        now: ctx.now.getTime(),
      }),
    )
  }
  evidence.push(...results.map(demoEvidence))
  const leaked = results.filter((r) => r.cannot === undefined && !r.blocked)
  if (leaked.length > 0)
    return fail(`a forced red on ${leaked.map((r) => r.step).join(', ')} did not block the merge`, evidence, [
      'npx firedrill hook install',
      'npx firedrill gate --show BRANCH   # see what the gate recorded',
    ])
  const unknown = results.filter((r) => r.cannot !== undefined)
  if (unknown.length > 0)
    return notYet(
      `the grader cannot force ${unknown.map((r) => r.step).join(', ')} red, so it cannot show they block`,
      evidence,
      ['make each `run` step run a script file of the repository (e.g. run: node scripts/check.js)'],
    )
  return pass(
    `${merges.length} merge(s) went through the gate green, and a forced red on each of the ${blocking.length} blocking steps blocked the merge`,
    evidence,
  )
}
