import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { BUILT_IN_STEPS } from '../config/gate-file-schema.ts'

/** in-toto Statement v1. */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'
/** What a firedrill gate record's predicate says: one gate run on one commit. */
export const GATE_PREDICATE_TYPE = 'https://firedrill.dev/attestations/gate-result/v1'

const Hex = (length: number) => Type.String({ pattern: `^[0-9a-f]{${length}}$` })

const StepSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([
    Type.Literal('run'),
    Type.Literal('gate-file'),
    ...BUILT_IN_STEPS.map((s) => Type.Literal(s)),
  ]),
  blocking: Type.Boolean(),
  status: Type.Union(['passed', 'failed', 'timed-out', 'skipped', 'error'].map((s) => Type.Literal(s))),
  durationMs: Type.Number({ minimum: 0 }),
})

export const GatePredicateSchema = Type.Object({
  ref: Type.String(),
  green: Type.Boolean(),
  steps: Type.Array(StepSchema),
  startedAt: Type.String(),
  durationMs: Type.Number({ minimum: 0 }),
  /** The gate file that judged the commit: trunk's, as trunk held it when the gate ran. */
  policy: Type.Object({
    file: Type.String(),
    sha256: Hex(64),
    trunk: Type.String(),
    trunkCommit: Type.String({ pattern: '^[0-9a-f]{40,64}$' }),
  }),
  /** Whether the steps ran in the bubblewrap sandbox, and why not when they did not. */
  sandbox: Type.Object({
    kind: Type.Union([Type.Literal('bubblewrap'), Type.Literal('off')]),
    detail: Type.String(),
  }),
})

export const GateStatementSchema = Type.Object({
  _type: Type.Literal(IN_TOTO_STATEMENT_TYPE),
  subject: Type.Array(
    Type.Object({ name: Type.String(), digest: Type.Record(Type.String(), Type.String()) }),
    { minItems: 1 },
  ),
  predicateType: Type.Literal(GATE_PREDICATE_TYPE),
  predicate: GatePredicateSchema,
})

export type GatePredicate = Static<typeof GatePredicateSchema>
export type GateStatement = Static<typeof GateStatementSchema>

/** The statement for one gate run: its subjects are the commit (`gitCommit`) and its tree (`gitTree`). */
export function gateStatement(commit: string, tree: string, predicate: GatePredicate): GateStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [
      { name: 'commit', digest: { gitCommit: commit } },
      { name: 'tree', digest: { gitTree: tree } },
    ],
    predicateType: GATE_PREDICATE_TYPE,
    predicate,
  }
}

/** Parses a statement's JSON, or says why it is not a firedrill gate statement. */
export function parseGateStatement(payload: Buffer): GateStatement | string {
  let value: unknown
  try {
    value = JSON.parse(payload.toString('utf8'))
  } catch {
    return 'its payload is not JSON'
  }
  if (!Value.Check(GateStatementSchema, value)) {
    const first = [...Value.Errors(GateStatementSchema, value)][0]
    return `its payload is not a firedrill gate statement (${first?.path || '(root)'} ${first?.message ?? ''})`
  }
  return value
}

/** The commit and tree a statement speaks of (undefined when it names none). */
export function statementSubject(statement: GateStatement): { commit?: string; tree?: string } {
  const digest = (algorithm: string) =>
    statement.subject.map((s) => s.digest[algorithm]).find((d) => d !== undefined)
  const commit = digest('gitCommit')
  const tree = digest('gitTree')
  return { ...(commit === undefined ? {} : { commit }), ...(tree === undefined ? {} : { tree }) }
}
