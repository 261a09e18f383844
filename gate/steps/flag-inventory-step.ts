import { readFile } from 'node:fs/promises'
import { loadFlagsFile } from '../../services/flags/load-flags-file.ts'
import { checkoutFile } from './checkout-file.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/** Where the shop keeps its flags; a gate step names another file with `with.flagsFile`. */
export const DEFAULT_GATE_FLAGS_FILE = 'services/flags/flags.json'

/** Flag types that may live on: they need an owner, not an expiry or a removal ticket. */
const PERMANENT_TYPES = ['kill-switch', 'permission']

/** Every flag's missing inventory fields: owner always; removalTicket and expiresAt unless it is permanent. */
export function flagInventoryProblems(flags: Record<string, unknown>): string[] {
  const problems: string[] = []
  for (const [key, definition] of Object.entries(flags)) {
    const metadata =
      typeof definition === 'object' && definition !== null
        ? ((definition as { metadata?: Record<string, unknown> }).metadata ?? {})
        : {}
    const blank = (field: string) =>
      typeof metadata[field] !== 'string' || (metadata[field] as string).trim() === ''
    const required = PERMANENT_TYPES.includes(String(metadata.type))
      ? ['owner']
      : ['owner', 'removalTicket', 'expiresAt']
    const missing = required.filter(blank)
    if (missing.length > 0) problems.push(`${key}: no ${missing.join(', no ')}`)
  }
  return problems
}

/**
 * `flag-inventory`: every flag in the flags file has an owner, a removal ticket and an expiry (kill switches
 * and permission flags: an owner). Lists each offender, then checks the file loads as the shop would load it.
 */
export async function flagInventoryStep(ctx: StepContext): Promise<StepOutcome> {
  const relative = ctx.step.flagsFile ?? DEFAULT_GATE_FLAGS_FILE
  let flags: Record<string, unknown>
  let file: string
  try {
    file = await checkoutFile(ctx.worktree, relative)
    const doc = JSON.parse(await readFile(file, 'utf8')) as { flags?: unknown }
    if (typeof doc.flags !== 'object' || doc.flags === null || Array.isArray(doc.flags))
      return { status: 'failed', outputTail: '', reason: `${relative} has no "flags" object` }
    flags = doc.flags as Record<string, unknown>
  } catch (err) {
    return {
      status: 'failed',
      outputTail: '',
      reason: `${relative} cannot be read as JSON: ${(err as Error).message}`,
    }
  }
  const problems = flagInventoryProblems(flags)
  if (problems.length > 0)
    return {
      status: 'failed',
      outputTail: problems.join('\n'),
      reason: `${problems.length} of ${Object.keys(flags).length} flag(s) in ${relative} lack inventory data`,
    }
  try {
    await loadFlagsFile(file)
  } catch (err) {
    return { status: 'failed', outputTail: (err as Error).message, reason: `${relative} does not load` }
  }
  return {
    status: 'passed',
    outputTail: `${Object.keys(flags).length} flag(s) in ${relative}: each has an owner, and temporary ones a removal ticket and an expiry`,
  }
}
