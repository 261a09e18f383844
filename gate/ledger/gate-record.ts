import { createHmac, timingSafeEqual } from 'node:crypto'
import type { GateStepKind } from '../config/parse-gate-file.ts'
import type { GateResult, StepStatus } from '../runner/gate-result.ts'

/** One gate run as the ledger keeps it, signed. */
export interface GateRecord {
  version: 1
  commit: string
  tree: string
  ref: string
  green: boolean
  steps: { name: string; kind: GateStepKind; blocking: boolean; status: StepStatus; durationMs: number }[]
  startedAt: string
  durationMs: number
  /** sha256 of the gate file the run used. */
  gateFile: string
  /** hex HMAC-SHA256 of the canonical JSON of every other field. */
  signature: string
}

/** JSON with object keys sorted at every depth, so a record signs the same whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function signRecordBody(body: Omit<GateRecord, 'signature'>, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex')
}

/** The record of a gate run, signed with `key`. */
export function recordOf(result: GateResult, key: Buffer): GateRecord {
  const body: Omit<GateRecord, 'signature'> = {
    version: 1,
    commit: result.commit,
    tree: result.tree,
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
    gateFile: result.gateFile,
  }
  return { ...body, signature: signRecordBody(body, key) }
}

/** Whether `record`'s signature is the one `key` gives its other fields (constant-time comparison). */
export function signatureHolds(record: GateRecord, key: Buffer): boolean {
  const { signature, ...body } = record
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false
  const expected = Buffer.from(signRecordBody(body, key), 'hex')
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
}
