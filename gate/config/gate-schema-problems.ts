import type { TSchema } from '@sinclair/typebox'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import type { GateFileProblem } from '../gate-errors.ts'

/** Every way `value` misses the gate file's schema, one problem per field, in document order. */
export function gateSchemaProblems(schema: TSchema, value: unknown): GateFileProblem[] {
  return schemaProblems(schema, value).map((p) => ({ path: p.path, detail: `${p.expected} (got ${p.got})` }))
}
