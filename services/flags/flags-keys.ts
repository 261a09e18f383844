import { keyspace } from '../platform/keys.ts'

/**
 * The flag store's Redis keys: the shared keyspace's three flag keys, plus the revision counter, which lives
 * beside them under the same prefix.
 */
export function flagKeys(prefix: string) {
  const keys = keyspace(prefix)
  return {
    /** Hash: flag key → definition JSON. */
    definitions: keys.flagDefinitions,
    /** Pub/sub channel: `{"revision":N,"flagsChanged":[key]}` after every change. */
    changes: keys.flagChanges,
    /** List, newest first, capped: one JSON audit entry per change. */
    audit: keys.flagAudit,
    /** Counter: bumped by every change. */
    revision: `${prefix}:flags:revision`,
  } as const
}

export type FlagKeys = ReturnType<typeof flagKeys>
