import { verifyPostmortem } from '../../../gate/verify/verify-postmortem.ts'
import { RUN_SANDBOX } from '../../../record/dora/run-dora.ts'
import { eventsOf } from '../../../record/journal/journal-event.ts'
import { type CapstoneRun, type GradeContext, gateFileAt, readRunJson } from '../grade-context.ts'
import { type Evidence, type Judgement, notYet, pass } from '../grade-result.ts'
import type { RepoCopies } from '../repo-copies.ts'
import { describeShipped, shippedChange } from './shipped-change.ts'

interface PostmortemItems {
  actionItems?: { id: string; owner?: string; dueDate?: string; tracking?: string }[]
}

type Verdict = { ok: true; evidence: Evidence[] } | { ok: false; why: string }

async function judgeRun(ctx: GradeContext, copies: RepoCopies, run: CapstoneRun): Promise<Verdict> {
  if (run.postmortemJson === null) return { ok: false, why: 'no postmortem.json' }
  if (run.sandbox === null) return { ok: false, why: 'its sandbox/ repository is gone' }
  const repo = await copies.of(run.sandbox, RUN_SANDBOX.trunk)
  const verdict = await verifyPostmortem({
    postmortemFile: run.postmortemJson,
    repo,
    trunk: RUN_SANDBOX.trunk,
    replay: false,
    env: ctx.env,
    now: ctx.now,
  })
  const tracked = new Map(
    ((await readRunJson<PostmortemItems>(run.postmortemJson))?.actionItems ?? []).map((i) => [i.id, i]),
  )
  const trunk = await gateFileAt(repo, RUN_SANDBOX.trunk)
  const replay = eventsOf(run.events, 'replay.gated').at(-1)
  const why: string[] = []
  for (const item of verdict.items) {
    const tracking = tracked.get(item.id)?.tracking
    if (!item.holds || item.status !== 'done' || item.accepted === undefined) continue
    if (item.owner.trim() === '' || tracking === undefined || tracking.trim() === '') {
      why.push(`${item.id} has no owner or no tracking`)
      continue
    }
    const shipped = describeShipped(
      await shippedChange(repo, item.accepted.closingCommit, 'problem' in trunk ? null : trunk),
    )
    if (shipped === null) {
      why.push(`${item.id}'s commit ships no test, contract or flag default`)
      continue
    }
    if (replay === undefined || replay.data.green || replay.data.blockedBy.length === 0) {
      why.push(
        `the replay of the bad change is not recorded as blocked (firedrill verify ${run.postmortemJson})`,
      )
      continue
    }
    const open = verdict.items.filter((i) => !i.holds).map((i) => `${i.id} ${i.status}`)
    return {
      ok: true,
      evidence: [
        {
          kind: 'commit',
          ref: item.accepted.closingCommit,
          detail: `run ${run.id}: ${item.id} "${item.title}" (owner ${item.owner}, due ${item.dueDate}, tracked in ${tracking}) ships ${shipped}`,
        },
        {
          kind: 'record',
          ref: item.accepted.recordCommit,
          detail: `merged through the gate: green record (${item.accepted.via}); the replayed bad change is blocked by ${replay.data.blockedBy.join(', ')}`,
        },
        ...(open.length > 0
          ? [
              {
                kind: 'file' as const,
                ref: run.postmortemJson,
                detail: `other items that do not hold yet: ${open.join(', ')}`,
              },
            ]
          : []),
      ],
    }
  }
  return { ok: false, why: why[0] ?? 'no action item is done and merged through the gate' }
}

/**
 * Criterion 5: a postmortem with an owned, dated, tracked action item, done and held by `firedrill verify`
 * (closed by a trunk commit with a green gate record), whose commit ships a test, a contract or a flag default,
 * and whose bad change's replay the gate blocked.
 */
export async function judgePostmortemShipped(ctx: GradeContext, copies: RepoCopies): Promise<Judgement> {
  const misses: Evidence[] = []
  for (const run of [...ctx.runs].reverse()) {
    const verdict = await judgeRun(ctx, copies, run)
    if (verdict.ok)
      return pass(
        `run ${run.id}: an action item shipped through the gate, as firedrill verify holds it`,
        verdict.evidence,
      )
    misses.push({ kind: 'run', ref: run.id, detail: verdict.why })
  }
  return notYet('no postmortem has an action item shipped through the gate', misses, [
    'npx firedrill run',
    'npx firedrill verify .firedrill/runs/RUN_ID/postmortem.md',
  ])
}
