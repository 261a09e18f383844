import type { FlagsDocument, FlagType } from '../flag-definition.ts'
import { type FlagInventoryRow, flagInventory } from './flag-inventory.ts'
import { FLAG_TYPE_LIFETIME_DAYS, PERMANENT_FLAG_TYPES } from './flag-lifetime.ts'

export const FLAG_DEBT_REASONS = [
  'no-owner',
  'no-removal-ticket',
  'no-expiry',
  'past-expiry',
  'potentially-stale',
  'archived-with-references',
] as const
export type FlagDebtReasonCode = (typeof FLAG_DEBT_REASONS)[number]

export interface FlagDebtReason {
  code: FlagDebtReasonCode
  /** Says what is wrong and what to do. */
  detail: string
}

/** One flag in debt, with every reason it is. */
export interface FlagDebt {
  key: string
  reasons: FlagDebtReason[]
}

export interface AuditFlagsOptions {
  now: Date
  /** Flag key → the source files that refer to it (from `findCodeReferences`); missing keys have none. */
  codeRefs: ReadonlyMap<string, readonly string[]>
}

/**
 * The flag debt of a document at `now`: a flag with no owner; a flag that is not permanent (kill switch,
 * permission) with no removal ticket or no expiry; one past its expiry or potentially stale (not yet
 * archived); an archived flag whose key code still refers to. Flags without debt are left out.
 */
export function auditFlags(document: FlagsDocument, options: AuditFlagsOptions): FlagDebt[] {
  return flagInventory(document, { now: options.now }).flatMap((row) => {
    const reasons = debtReasons(row, options.codeRefs.get(row.key) ?? [])
    return reasons.length > 0 ? [{ key: row.key, reasons }] : []
  })
}

function debtReasons(row: FlagInventoryRow, refs: readonly string[]): FlagDebtReason[] {
  const reasons: FlagDebtReason[] = []
  const permanent = PERMANENT_FLAG_TYPES.includes(row.type as FlagType)
  if (row.owner === null)
    reasons.push({ code: 'no-owner', detail: 'no owner: set metadata.owner to the team that owns it' })
  if (!permanent && row.removalTicket === null)
    reasons.push({
      code: 'no-removal-ticket',
      detail: 'no removal ticket: set metadata.removalTicket to the ticket that removes it',
    })
  if (!permanent && row.expiresAt === null && row.lifecycle !== 'archived')
    reasons.push({
      code: 'no-expiry',
      detail: 'no expiry: set metadata.expiresAt to the date it should be gone',
    })
  if (row.pastExpiry)
    reasons.push({
      code: 'past-expiry',
      detail: `past its expiry (${row.expiresAt}): remove it, or move the date with a reason in its ticket`,
    })
  if (row.potentiallyStale)
    reasons.push({
      code: 'potentially-stale',
      detail: `potentially stale: ${row.ageDays} days old, past the ${FLAG_TYPE_LIFETIME_DAYS[row.type as FlagType]} days a ${row.type} flag should live`,
    })
  if (row.lifecycle === 'archived' && refs.length > 0)
    reasons.push({
      code: 'archived-with-references',
      detail: `archived, but code still refers to it (${refs.join(', ')}): remove that code path`,
    })
  return reasons
}
