import type { GateStepKind } from '../config/parse-gate-file.ts'
import type { GateResult, StepStatus } from '../runner/gate-result.ts'
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse-envelope.ts'
import type { GateSigner } from './gate-signer.ts'
import { type GateStatement, gateStatement, statementSubject } from './gate-statement.ts'

/**
 * One gate run as the ledger keeps it, read out of its signed statement: the commit and tree it judged, the
 * result, the gate file that judged it (trunk's) and who signed it.
 */
export interface GateRecord {
  version: 2
  commit: string
  tree: string
  ref: string
  green: boolean
  steps: { name: string; kind: GateStepKind; blocking: boolean; status: StepStatus; durationMs: number }[]
  startedAt: string
  durationMs: number
  /** sha256 of the gate file that judged the commit: trunk's, as `trunkCommit` holds it. */
  gateFile: string
  trunk: string
  trunkCommit: string
  /** `bubblewrap`, or `off` with the reason in `sandboxDetail`. */
  sandbox: 'bubblewrap' | 'off'
  sandboxDetail: string
  /** The keyid of the key that signed it. */
  signer: string
}

/** The signed statement of a gate run, as a DSSE envelope, and the record it reads as. */
export function recordOf(
  result: GateResult,
  signer: GateSigner,
): { envelope: DsseEnvelope; record: GateRecord } {
  const statement = gateStatement(result.commit, result.tree, {
    ref: result.ref,
    green: result.green,
    steps: result.steps.map((s) => ({
      name: s.name,
      kind: s.kind,
      blocking: s.blocking,
      status: s.status,
      durationMs: s.durationMs,
    })),
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    policy: {
      file: result.policy.file,
      sha256: result.policy.sha256,
      trunk: result.policy.trunk,
      trunkCommit: result.policy.trunkCommit,
    },
    sandbox: { kind: result.sandbox.kind, detail: result.sandbox.detail },
  })
  const envelope = signEnvelope(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, signer)
  return { envelope, record: recordFromStatement(statement, signer.keyid) }
}

/** The record a verified statement reads as. */
export function recordFromStatement(statement: GateStatement, signer: string): GateRecord {
  const { commit = '', tree = '' } = statementSubject(statement)
  const p = statement.predicate
  return {
    version: 2,
    commit,
    tree,
    ref: p.ref,
    green: p.green,
    steps: p.steps as GateRecord['steps'],
    startedAt: p.startedAt,
    durationMs: p.durationMs,
    gateFile: p.policy.sha256,
    trunk: p.policy.trunk,
    trunkCommit: p.policy.trunkCommit,
    sandbox: p.sandbox.kind,
    sandboxDetail: p.sandbox.detail,
    signer,
  }
}
