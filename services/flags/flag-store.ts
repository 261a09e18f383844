import type { FlagChange } from './flag-change.ts'
import type { FlagDefinition, FlagsDocument } from './flag-definition.ts'

/** All definitions at one revision. The revision goes up by one with every change. */
export interface FlagsSnapshot {
  revision: number
  flags: Record<string, FlagDefinition>
}

/** One flip, as the audit log keeps it: who, when, why, and what the flag served before and after. */
export interface FlagAuditEntry {
  /** The store's revision this change made. */
  revision: number
  flag: string
  /** What the flag served before, in short (`off`, `on for 5% (else off)`, `disabled`). */
  from: string
  /** What it serves now, in the same words. */
  to: string
  actor: string
  reason: string
  /** ISO timestamp. */
  at: string
  /** The change as asked for. */
  change: FlagChange
}

export interface FlagChangeResult {
  revision: number
  definition: FlagDefinition
  audit: FlagAuditEntry
}

/** The message published on the changes channel after every change. */
export interface FlagChangeMessage {
  revision: number
  flagsChanged: string[]
  /**
   * The changed flags' new definitions, when the change is one flag's (a seed or a restore announces only the
   * revision): a copy at `revision - 1` becomes the copy at `revision` by applying them.
   */
  definitions?: Record<string, FlagDefinition>
}

/** Where flag definitions live. Every change is atomic: definition, revision, audit entry and announcement. */
export interface FlagStore {
  /** Writes the document's flags if the store holds none yet; true when it did. */
  seedIfEmpty(document: FlagsDocument): Promise<boolean>
  /**
   * Writes definitions back into a store that came back empty (Redis restarted without persistence), with one
   * audit entry per flag saying who did it and why; does nothing (false) when the store holds any flag.
   */
  restoreIfEmpty(flags: Record<string, FlagDefinition>, actor: string, reason: string): Promise<boolean>
  snapshot(): Promise<FlagsSnapshot>
  /** The current revision; 0 for a store never written. */
  revision(): Promise<number>
  get(flag: string): Promise<FlagDefinition | undefined>
  /** Applies a change; throws `FlagNotFoundError` or `FlagChangeInvalidError` (naming the field). */
  setFlag(flag: string, change: FlagChange, actor: string, reason: string): Promise<FlagChangeResult>
  /** Audit entries, newest first. @defaultValue limit 50 */
  audit(limit?: number): Promise<FlagAuditEntry[]>
  /** Resolves when the backing store answers. */
  ping(): Promise<void>
  /** Closes what the store opened itself (a connection it was lent stays open). */
  close(): Promise<void>
}
