import { auditFlags, findCodeReferences, loadFlagsForAudit } from '../../services/flags/lifecycle/index.ts'
import { checkoutFile } from './checkout-file.ts'
import { DEFAULT_GATE_FLAGS_FILE } from './flag-inventory-step.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/**
 * `flag-debt`: red on any flag debt in the flags file (no owner, no removal ticket or expiry, past its
 * expiry, potentially stale, archived while code still refers to its key), listing each flag and reason.
 * Code references are looked up in the commit's own source files. `now` is when the step runs.
 */
export async function flagDebtStep(ctx: StepContext, now: Date = new Date()): Promise<StepOutcome> {
  const relative = ctx.step.flagsFile ?? DEFAULT_GATE_FLAGS_FILE
  let file: string
  let document: Awaited<ReturnType<typeof loadFlagsForAudit>>
  try {
    file = await checkoutFile(ctx.worktree, relative)
    document = await loadFlagsForAudit(file)
  } catch (err) {
    return { status: 'failed', outputTail: (err as Error).message, reason: `${relative} does not load` }
  }
  const keys = Object.keys(document.flags)
  const codeRefs = await findCodeReferences(ctx.worktree, keys, { exclude: [file] })
  const debts = auditFlags(document, { now, codeRefs })
  if (debts.length > 0)
    return {
      status: 'failed',
      outputTail: debts.flatMap((d) => d.reasons.map((r) => `${d.key}: ${r.detail}`)).join('\n'),
      reason: `${debts.length} of ${keys.length} flag(s) in ${relative} carry flag debt`,
    }
  return { status: 'passed', outputTail: `${keys.length} flag(s) in ${relative}: no flag debt` }
}
