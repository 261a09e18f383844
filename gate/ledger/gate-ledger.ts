import { git } from '../../record/git/git.ts'
import { GitFailedError } from '../gate-errors.ts'
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, verifyEnvelope } from './dsse-envelope.ts'
import { type GateRecord, recordFromStatement } from './gate-record.ts'
import { parseGateStatement, statementSubject } from './gate-statement.ts'
import type { TrustedKeys } from './trusted-keys.ts'

/** The notes ref the ledger lives in; it travels with the repository (`git push origin refs/notes/firedrill`). */
export const LEDGER_NOTES_REF = 'refs/notes/firedrill'

/** Why a present record is not valid: unreadable, signed by a key trunk does not trust, or not holding. */
export type InvalidRecordKind = 'malformed' | 'untrusted-key' | 'signature-invalid' | 'wrong-subject'

export interface ReadRecord {
  /** The commit carries a ledger note at all. */
  present: boolean
  /** The record as signed (undefined when there is none, or it cannot be read as one). */
  record: GateRecord | undefined
  /** A trusted key's signature holds, and the record speaks of the commit it is attached to and its tree. */
  valid: boolean
  /** Why it is not valid. */
  reason?: string
  kind?: InvalidRecordKind
  /** The keyids the envelope names. */
  keyids?: string[]
}

/** Stores a signed record (a DSSE envelope) as the note on `commit`, replacing an earlier run's. */
export async function writeRecord(top: string, commit: string, envelope: DsseEnvelope): Promise<void> {
  await git(top, ['notes', '--ref', LEDGER_NOTES_REF, 'add', '-f', '-m', JSON.stringify(envelope), commit])
}

const invalid = (kind: InvalidRecordKind, reason: string, extra: Partial<ReadRecord> = {}): ReadRecord => ({
  present: true,
  record: undefined,
  valid: false,
  kind,
  reason,
  ...extra,
})

/**
 * Reads and checks the record on `commit` against the keys trunk trusts (`trust`, from trunk's
 * firedrill-gate.pub): a DSSE envelope whose signature by a trusted key holds, over an in-toto statement whose
 * subjects are this commit and its tree. Nothing secret is needed to check a record.
 */
export async function readRecord(top: string, commit: string, trust: TrustedKeys): Promise<ReadRecord> {
  let text: string
  try {
    text = await git(top, ['notes', '--ref', LEDGER_NOTES_REF, 'show', commit])
  } catch (err) {
    if (err instanceof GitFailedError)
      return { present: false, record: undefined, valid: false, reason: 'no gate record' }
    throw err
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return invalid('malformed', 'the note is not a gate record (not JSON)')
  }
  if ((value as { version?: unknown } | null)?.version === 1)
    return invalid(
      'signature-invalid',
      'it is a version 1 record (HMAC-signed by an earlier firedrill), which proves nothing now; run the gate on it again',
    )
  const check = verifyEnvelope(value, trust)
  if (!check.ok) return invalid(check.kind, check.reason, { keyids: check.keyids })
  if (check.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return invalid('malformed', `its payload type is ${check.payloadType}, not an in-toto statement`)
  const statement = parseGateStatement(check.payload)
  if (typeof statement === 'string') return invalid('malformed', statement)
  const record = recordFromStatement(statement, check.keyid)
  const subject = statementSubject(statement)
  if (subject.commit !== commit)
    return invalid('wrong-subject', `it speaks of commit ${String(subject.commit).slice(0, 12)}`, { record })
  const tree = await git(top, ['rev-parse', `${commit}^{tree}`])
  if (subject.tree !== tree) return invalid('wrong-subject', "its tree is not the commit's tree", { record })
  return { present: true, record, valid: true, keyids: [check.keyid] }
}

/** Every commit that carries a ledger note. */
export async function recordedCommits(top: string): Promise<string[]> {
  let list: string
  try {
    list = await git(top, ['notes', '--ref', LEDGER_NOTES_REF, 'list'])
  } catch {
    return []
  }
  return list
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[1])
    .filter((c): c is string => c !== undefined && c !== '')
}
