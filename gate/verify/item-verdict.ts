/** An action item as verify reads it from the postmortem: only the fields it needs. */
export interface VerifiableItem {
  id: string
  title?: string
  owner?: string
  /** YYYY-MM-DD. */
  dueDate: string
  /** What the postmortem says (`open`, `done`, `overdue`); absent in older postmortems. */
  status?: string
  /** `prevent`, `detect`, `mitigate`, `process`: a prevent item's closing change must add a test or a gate step. */
  type?: string
}

/** `open`: not closed and not yet due; `done`: closed; `overdue`: not closed and past its due date. */
export type ItemStatus = 'open' | 'done' | 'overdue'

export type ItemReasonKind =
  | 'no-closing-commit'
  | 'not-on-trunk'
  | 'red'
  | 'signature-invalid'
  | 'untrusted-key'
  | 'no-record'
  | 'empty-change'
  | 'not-merged'
  | 'foreign-gate-file'
  | 'no-test-change'
  | 'overdue'

/** Why an item falls short, for tools (`kind`, `commit`) and for people (`text`). */
export interface ItemReason {
  kind: ItemReasonKind
  commit?: string
  text: string
}

/**
 * The green record that proves an item went through the gate. `own`: the closing commit's record;
 * `same-tree`: a record on another commit with the very same tree; `merged-branch-head`: the record of the
 * branch head a trunk merge brought the closing commit in with (the head `firedrill merge` checked).
 */
export interface AcceptedRecord {
  closingCommit: string
  recordCommit: string
  via: 'own' | 'same-tree' | 'merged-branch-head'
}

export interface ItemVerdict {
  id: string
  title: string
  owner: string
  dueDate: string
  /** What the postmortem said. */
  claimed: string | undefined
  /** What the repository says. */
  status: ItemStatus
  holds: boolean
  /** Commits on trunk that carry `Refs: <id>`, newest first. */
  closingCommits: string[]
  accepted?: AcceptedRecord
  reasons: ItemReason[]
}
