import type { GateFile } from '../../../gate/config/parse-gate-file.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../../gate/steps/flag-inventory-step.ts'
import { RUN_SANDBOX } from '../../../record/dora/run-dora.ts'
import { git } from '../../../record/git/git.ts'
import { eventsOf } from '../../../record/journal/journal-event.ts'
import { findCodeReferences } from '../../../services/flags/lifecycle/index.ts'
import type { CapstoneRun, GradeContext } from '../grade-context.ts'
import { type Evidence, fail, type Judgement, notYet, pass } from '../grade-result.ts'
import type { RepoCopies } from '../repo-copies.ts'

interface FlagsDocumentLike {
  flags?: Record<string, { metadata?: Record<string, unknown> }>
}

/** The flags file trunk's gate checks (its flag-inventory or flag-debt step's), else the shop's. */
function flagsFileOf(gateFile: GateFile | { problem: string }): string {
  if ('problem' in gateFile) return DEFAULT_GATE_FLAGS_FILE
  const step = gateFile.steps.find((s) => s.kind === 'flag-inventory' || s.kind === 'flag-debt')
  return step?.flagsFile ?? DEFAULT_GATE_FLAGS_FILE
}

async function flagsAt(repo: string, commit: string, file: string): Promise<FlagsDocumentLike | null> {
  try {
    return JSON.parse(await git(repo, ['show', `${commit}:${file}`])) as FlagsDocumentLike
  } catch {
    return null
  }
}

const blank = (value: unknown) => typeof value !== 'string' || value.trim() === ''

/** Every flag in the capstone's flags file on trunk with an owner, a removal ticket and an expiry. */
async function inventory(ctx: GradeContext): Promise<{ ok: boolean; evidence: Evidence }> {
  const file = flagsFileOf(ctx.gateFile)
  const document = await flagsAt(ctx.repo, ctx.trunkCommit, file)
  if (document === null)
    return {
      ok: false,
      evidence: {
        kind: 'file',
        ref: file,
        detail: `not on trunk (${ctx.trunkCommit.slice(0, 12)}) or not JSON`,
      },
    }
  const flags = Object.entries(document.flags ?? {})
  const lacking = flags.flatMap(([key, flag]) => {
    const m = flag.metadata ?? {}
    const missing = ['owner', 'removalTicket', 'expiresAt'].filter((field) => blank(m[field]))
    return missing.length > 0 ? [`${key} has no ${missing.join(', no ')}`] : []
  })
  return lacking.length > 0
    ? { ok: false, evidence: { kind: 'file', ref: file, detail: lacking.join('; ') } }
    : {
        ok: true,
        evidence: {
          kind: 'file',
          ref: file,
          detail: `${flags.length} flag(s) on trunk ${ctx.trunkCommit.slice(0, 12)}, each with an owner, a removal ticket and an expiry`,
        },
      }
}

/**
 * A run that closed its release flag out, checked against its sandbox's trunk as it stands (in `copies`, trunk
 * checked out): the flag archived there, and no source file naming it, as the drill's own archive step judges.
 */
async function closeOut(
  run: CapstoneRun,
  copies: RepoCopies,
): Promise<{ ok: true; evidence: Evidence[] } | { ok: false; why: string }> {
  const merged = eventsOf(run.events, 'cleanup.merged').at(-1)
  if (merged === undefined) return { ok: false, why: 'its release flag was not closed out' }
  if (run.sandbox === null) return { ok: false, why: 'its sandbox/ repository is gone' }
  const key = merged.data.flag
  const recovered = eventsOf(run.events, 'recovery.confirmed')[0]
  const stages = eventsOf(run.events, 'flag.lifecycle').filter((e) => e.data.key === key)
  const completed = stages.find((e) => e.data.to === 'completed')
  const archived = stages.find((e) => e.data.to === 'archived')
  if (completed === undefined || archived === undefined)
    return { ok: false, why: `${key} was not completed and archived` }
  if (recovered !== undefined && completed.seq < recovered.seq)
    return { ok: false, why: `${key} was closed out before the drill recovered` }
  const trunk = await git(run.sandbox, ['rev-parse', RUN_SANDBOX.trunk])
  const file = DEFAULT_GATE_FLAGS_FILE
  const lifecycle = (await flagsAt(run.sandbox, trunk, file))?.flags?.[key]?.metadata?.lifecycle
  if (lifecycle !== 'archived')
    return { ok: false, why: `${key} is ${String(lifecycle ?? 'missing')} on its trunk, not archived` }
  const copy = await copies.of(run.sandbox, RUN_SANDBOX.trunk)
  const files = (await findCodeReferences(copy, [key], { exclude: [file] })).get(key) ?? []
  if (files.length > 0) return { ok: false, why: `code on its trunk still names ${key}: ${files.join(', ')}` }
  return {
    ok: true,
    evidence: [
      { kind: 'commit', ref: completed.data.commit, detail: `run ${run.id}: ${key} completed` },
      {
        kind: 'commit',
        ref: merged.data.commit,
        detail: `run ${run.id}: its code path removed, merged through the gate as ${merged.data.trunk.slice(0, 12)}`,
      },
      {
        kind: 'commit',
        ref: archived.data.commit,
        detail: `run ${run.id}: ${key} archived; no source file on trunk ${trunk.slice(0, 12)} names it`,
      },
    ],
  }
}

/** Criterion 4: the capstone's flags all owned, ticketed and dated; a drill's release flag closed out. */
export async function judgeFlagHygiene(ctx: GradeContext, copies: RepoCopies): Promise<Judgement> {
  const owned = await inventory(ctx)
  const evidence: Evidence[] = [owned.evidence]
  let closed: Evidence[] | undefined
  for (const run of [...ctx.runs].reverse()) {
    const verdict = await closeOut(run, copies)
    if (verdict.ok) {
      closed = verdict.evidence
      break
    }
    evidence.push({ kind: 'run', ref: run.id, detail: verdict.why })
  }
  if (!owned.ok)
    return fail('a flag on trunk lacks an owner, a removal ticket or an expiry', evidence, [
      `npx firedrill flags audit --file ${owned.evidence.ref} --root .`,
    ])
  if (closed === undefined)
    return notYet('no drill closed its release flag out', evidence, [
      'npx firedrill run   # its follow-up closes the flag out',
    ])
  return pass('every flag is owned, ticketed and dated, and a drill closed its release flag out', [
    owned.evidence,
    ...closed,
  ])
}
