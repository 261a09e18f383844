/** Flag lifecycle: the offline inventory, the flag-debt audit, and active → completed → archived. */

export {
  type AuditFlagsOptions,
  auditFlags,
  FLAG_DEBT_REASONS,
  type FlagDebt,
  type FlagDebtReason,
  type FlagDebtReasonCode,
} from './audit-flags.ts'
export { type FindCodeReferencesOptions, findCodeReferences } from './find-code-references.ts'
export {
  type FlagInventoryOptions,
  type FlagInventoryRow,
  flagInventory,
  metadataText,
} from './flag-inventory.ts'
export {
  FLAG_TYPE_LIFETIME_DAYS,
  flagAgeDays,
  isPastExpiry,
  isPotentiallyStale,
  PERMANENT_FLAG_TYPES,
} from './flag-lifetime.ts'
export { loadFlagsForAudit, parseFlagsForAudit } from './load-flags-for-audit.ts'
export { isFlagLifecycle, type TransitionFlagOptions, transitionFlag } from './transition-flag.ts'
export { writeFlagsFile } from './write-flags-file.ts'
