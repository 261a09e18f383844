import { parse } from 'yaml'
import { git } from '../../../record/git/git.ts'
import type { GradeContext } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'

const WORKFLOWS = '.github/workflows'

/** Trunk's workflows that run the firedrill gate on pull requests. */
async function gateWorkflows(ctx: GradeContext): Promise<string[]> {
  const listed = await git(ctx.repo, ['ls-tree', '--name-only', `${ctx.trunkCommit}:${WORKFLOWS}`]).catch(
    () => '',
  )
  const found: string[] = []
  for (const name of listed.split('\n').filter((n) => /\.ya?ml$/.test(n))) {
    const path = `${WORKFLOWS}/${name}`
    try {
      const workflow = parse(await git(ctx.repo, ['show', `${ctx.trunkCommit}:${path}`])) as Record<
        string,
        unknown
      >
      const on = workflow.on ?? workflow.true
      const onPullRequests =
        typeof on === 'string'
          ? on === 'pull_request'
          : Array.isArray(on)
            ? on.includes('pull_request')
            : on !== null && typeof on === 'object' && 'pull_request' in on
      if (onPullRequests && /firedrill(\.js)? gate/.test(JSON.stringify(workflow.jobs ?? {})))
        found.push(path)
    } catch {
      // not YAML: not a workflow that runs the gate
    }
  }
  return found
}

/** Stretch: a flag-debt guard in CI, a blocking flag-debt step in trunk's gate file that a workflow runs. */
export async function judgeFlagDebtGuard(ctx: GradeContext): Promise<Judgement> {
  const next = [
    'keep a blocking flag-debt step in firedrill-gate.yaml, and the gate workflow in .github/workflows/',
  ]
  if ('problem' in ctx.gateFile) return notYet(ctx.gateFile.problem, [], next)
  const step = ctx.gateFile.steps.find((s) => s.kind === 'flag-debt' && s.blocking)
  const workflows = await gateWorkflows(ctx)
  const evidence: Evidence[] = [
    ...(step === undefined
      ? []
      : [
          {
            kind: 'file' as const,
            ref: 'firedrill-gate.yaml',
            detail: `blocking step ${step.name} (flag-debt)`,
          },
        ]),
    ...workflows.map((w) => ({
      kind: 'file' as const,
      ref: w,
      detail: 'runs the firedrill gate on pull requests',
    })),
  ]
  if (step === undefined || workflows.length === 0)
    return notYet(
      step === undefined
        ? "trunk's gate has no blocking flag-debt step"
        : 'no workflow on trunk runs the gate on pull requests',
      evidence,
      next,
    )
  return pass('flag debt blocks a merge in CI', evidence)
}

/** Stretch: a change-failure-rate governor, a blocking cfr-governor step whose events file is on trunk. */
export async function judgeCfrGovernor(ctx: GradeContext): Promise<Judgement> {
  const next = [
    'add a blocking cfr-governor step to firedrill-gate.yaml, with.events naming a fourkeys export (firedrill dora --json)',
  ]
  if ('problem' in ctx.gateFile) return notYet(ctx.gateFile.problem, [], next)
  const step = ctx.gateFile.steps.find((s) => s.kind === 'cfr-governor' && s.blocking)
  if (step === undefined) return notYet("trunk's gate has no blocking cfr-governor step", [], next)
  const events = step.governor?.events
  const present =
    events !== undefined &&
    (await git(ctx.repo, ['cat-file', '-e', `${ctx.trunkCommit}:${events}`]).then(
      () => true,
      () => false,
    ))
  if (!present)
    return notYet(`the governor's events file (${events ?? 'none named'}) is not on trunk`, [], next)
  return pass(`blocking step ${step.name} governs the change failure rate from ${events}`, [
    { kind: 'file', ref: events!, detail: `read by ${step.name}` },
  ])
}
