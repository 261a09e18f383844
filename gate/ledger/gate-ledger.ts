import { GitFailedError } from '../gate-errors.ts'
import { git } from '../sandbox/git.ts'
import { gateKey } from './gate-key.ts'
import { type GateRecord, signatureHolds } from './gate-record.ts'

/** The notes ref the ledger lives in; it travels with the repository (`git push origin refs/notes/firedrill`). */
export const LEDGER_NOTES_REF = 'refs/notes/firedrill'

export interface ReadRecord {
  /** The commit carries a ledger note at all. */
  present: boolean
  /** The record as stored (undefined when there is none, or it is not a record at all). */
  record: GateRecord | undefined
  /** The signature holds, and the record speaks of the commit it is attached to and that commit's tree. */
  valid: boolean
  /** Why it is not valid. */
  reason?: string
}

/** Stores a record as the note on its commit, replacing an earlier run's. */
export async function writeRecord(top: string, record: GateRecord): Promise<void> {
  await git(top, [
    'notes',
    '--ref',
    LEDGER_NOTES_REF,
    'add',
    '-f',
    '-m',
    JSON.stringify(record),
    record.commit,
  ])
}

/** Reads and checks the record on `commit`; `env` is where FIREDRILL_GATE_KEY is read. */
export async function readRecord(
  top: string,
  commit: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReadRecord> {
  let text: string
  try {
    text = await git(top, ['notes', '--ref', LEDGER_NOTES_REF, 'show', commit])
  } catch (err) {
    if (err instanceof GitFailedError)
      return { present: false, record: undefined, valid: false, reason: 'no gate record' }
    throw err
  }
  let record: GateRecord
  try {
    record = JSON.parse(text) as GateRecord
  } catch {
    return {
      present: true,
      record: undefined,
      valid: false,
      reason: 'the note is not a gate record (not JSON)',
    }
  }
  if (record === null || typeof record !== 'object' || record.version !== 1)
    return {
      present: true,
      record: undefined,
      valid: false,
      reason: 'the note is not a version 1 gate record',
    }
  const { key } = await gateKey(top, env)
  if (!signatureHolds(record, key))
    return {
      present: true,
      record,
      valid: false,
      reason: 'its signature does not match (the record was edited, or signed with another key)',
    }
  if (record.commit !== commit)
    return {
      present: true,
      record,
      valid: false,
      reason: `it speaks of commit ${String(record.commit).slice(0, 12)}`,
    }
  const tree = await git(top, ['rev-parse', `${commit}^{tree}`])
  if (record.tree !== tree)
    return { present: true, record, valid: false, reason: "its tree is not the commit's tree" }
  return { present: true, record, valid: true }
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
