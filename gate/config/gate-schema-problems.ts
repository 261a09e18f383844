import { Kind, type TSchema } from '@sinclair/typebox'
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { GateFileProblem } from '../gate-errors.ts'

/** `/steps/2/timeout` → `steps[2].timeout`; the root is `(root)`. */
export function gateFieldPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '(root)'
  let out = ''
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (/^\d+$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}

function quote(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function describe(schema: TSchema): string {
  if (typeof schema.expected === 'string') return schema.expected
  switch (schema[Kind]) {
    case 'Boolean':
      return 'true or false'
    case 'Literal':
      return JSON.stringify(schema.const)
    case 'Union':
      return `one of ${(schema.anyOf as TSchema[]).map(describe).join(', ')}`
    case 'String':
      return schema.minLength === 1 ? 'a string (not empty)' : 'a string'
    case 'Array':
      return schema.minItems !== undefined
        ? `a list of ${schema.minItems}${schema.maxItems === undefined ? '+' : `..${schema.maxItems}`} items`
        : 'a list'
    case 'Object':
      return `a mapping with ${Object.keys(schema.properties ?? {}).join(', ')}`
    default:
      return 'a valid value'
  }
}

function parentOf(root: TSchema, pointer: string): TSchema | undefined {
  let schema: TSchema | undefined = root
  for (const part of pointer.split('/').slice(1, -1)) {
    if (schema?.[Kind] === 'Object') schema = schema.properties?.[part]
    else if (schema?.[Kind] === 'Array') schema = schema.items
    else return undefined
  }
  return schema
}

function problemOf(root: TSchema, error: ValueError): GateFileProblem {
  const path = gateFieldPath(error.path)
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const allowed = Object.keys(parentOf(root, error.path)?.properties ?? {})
      return { path, detail: `is not a known field (allowed: ${allowed.join(', ')})` }
    }
    case ValueErrorType.ObjectRequiredProperty:
      return { path, detail: `is required: ${describe(error.schema)}` }
    default:
      return { path, detail: `must be ${describe(error.schema)} (got ${quote(error.value)})` }
  }
}

/** Every way `value` misses the schema, one problem per field, in document order. */
export function gateSchemaProblems(schema: TSchema, value: unknown): GateFileProblem[] {
  const seen = new Set<string>()
  const problems: GateFileProblem[] = []
  for (const error of Value.Errors(schema, value)) {
    if (seen.has(error.path)) continue
    seen.add(error.path)
    problems.push(problemOf(schema, error))
  }
  return problems
}
