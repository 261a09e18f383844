import { RUN_SANDBOX } from '../../../record/dora/run-dora.ts'
import { eventsOf } from '../../../record/journal/journal-event.ts'
import { type CapstoneRun, type GradeContext, gateFileAt } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'
import { type ShippedChange, shippedChange } from './shipped-change.ts'

interface ReplayFacts {
  run: CapstoneRun
  fixCommit: string
  shipped: ShippedChange
  /** The blocking steps that stopped the replayed bad change, with their kinds. */
  blockedBy: { name: string; kind: string }[]
  verifyHolds: boolean
}

/** For each run whose loop closed: what its fix shipped and which gate steps stopped the replayed bad change. */
async function replayFacts(ctx: GradeContext): Promise<ReplayFacts[]> {
  const facts: ReplayFacts[] = []
  for (const run of ctx.runs) {
    const fix = eventsOf(run.events, 'fix.merged').at(-1)
    const replay = eventsOf(run.events, 'replay.gated').at(-1)
    if (fix === undefined || replay === undefined || replay.data.green || run.sandbox === null) continue
    const gateFile = await gateFileAt(run.sandbox, RUN_SANDBOX.trunk)
    const steps = 'problem' in gateFile ? [] : gateFile.steps
    facts.push({
      run,
      fixCommit: fix.data.commit,
      shipped: await shippedChange(run.sandbox, fix.data.commit, 'problem' in gateFile ? null : gateFile),
      blockedBy: replay.data.blockedBy.map((name) => ({
        name,
        kind: steps.find((s) => s.name === name)?.kind ?? 'unknown',
      })),
      verifyHolds: eventsOf(run.events, 'verify.finished').at(-1)?.data.holds === true,
    })
  }
  return facts
}

const TEST_STEPS = new Set(['unit-tests', 'contract-tests'])

/** Stretch: a test the fix added (property-based or contract) is what makes the gate refuse the bad change. */
export async function judgeTestStopsBadChange(ctx: GradeContext): Promise<Judgement> {
  for (const f of await replayFacts(ctx)) {
    const byTests = f.blockedBy.filter((s) => TEST_STEPS.has(s.kind))
    if (f.shipped.tests.length === 0 || byTests.length === 0) continue
    return pass(`run ${f.run.id}: the fix's test makes the gate refuse the bad change`, [
      { kind: 'commit', ref: f.fixCommit, detail: `the fix adds ${f.shipped.tests.join(', ')}` },
      {
        kind: 'run',
        ref: f.run.id,
        detail: `the replayed bad change is red on ${byTests.map((s) => `${s.name} (${s.kind})`).join(', ')}`,
      },
    ])
  }
  return notYet(
    'no drill shows a test of its fix stopping the replayed bad change',
    [],
    ['npx firedrill run'],
  )
}

/**
 * Stretch: the contract drill, found by its evidence: a run whose fix adds a contract test (a file a
 * contract-tests step runs), which `firedrill verify` held, and whose replayed bad change a contract-tests
 * step blocked: the same defect can no longer reach trunk.
 */
export async function judgeContractDrill(ctx: GradeContext): Promise<Judgement> {
  const misses: Evidence[] = []
  for (const f of await replayFacts(ctx)) {
    const byContract = f.blockedBy.filter((s) => s.kind === 'contract-tests')
    if (f.shipped.contracts.length > 0 && byContract.length > 0 && f.verifyHolds)
      return pass(
        `run ${f.run.id} (${f.run.scenario}): a contract assertion at a service boundary keeps the defect out`,
        [
          {
            kind: 'commit',
            ref: f.fixCommit,
            detail: `the fix adds the contract test ${f.shipped.contracts.join(', ')}`,
          },
          {
            kind: 'run',
            ref: f.run.id,
            detail: `verify holds; the replayed bad change is red on ${byContract.map((s) => s.name).join(', ')}`,
          },
        ],
      )
    if (f.shipped.tests.length > 0)
      misses.push({
        kind: 'run',
        ref: f.run.id,
        detail: `its fix adds tests, but ${f.shipped.contracts.length === 0 ? 'no contract test' : 'no contract step blocked the replay'}`,
      })
  }
  return notYet('no drill whose fix is a contract test has run yet', misses, [
    'npx firedrill run --scenario contract-break',
  ])
}
