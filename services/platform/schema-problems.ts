import { Kind, type TSchema } from '@sinclair/typebox'
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import { didYouMean } from './did-you-mean.ts'

/**
 * One way a document misses its TypeBox schema: the field path (`release.steps[2].percent`), what the field
 * must be, and what it was. Scenario, team roster, gate file and DORA events errors all speak this way.
 */
export interface SchemaProblem {
  path: string
  expected: string
  got: string
}

/** `/release/steps/2/percent` → `release.steps[2].percent`; the root is `(root)`. */
export function fieldPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '(root)'
  let out = ''
  for (const raw of pointer.slice(1).split('/')) {
    const part = unescapePointer(raw)
    if (/^\d+$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}

/** A value as an error quotes it: short, JSON-ish, `nothing` for a missing one. */
export function quoteValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function range(schema: TSchema): string {
  const low = schema.minimum ?? schema.exclusiveMinimum
  const high = schema.maximum ?? schema.exclusiveMaximum
  if (low !== undefined && high !== undefined) {
    const lowText = schema.exclusiveMinimum !== undefined ? `more than ${low}` : `${low}`
    return schema.exclusiveMinimum !== undefined ? ` ${lowText} and at most ${high}` : ` ${lowText}..${high}`
  }
  if (low !== undefined)
    return schema.exclusiveMinimum !== undefined ? ` more than ${low}` : ` at least ${low}`
  if (high !== undefined) return ` at most ${high}`
  return ''
}

/** Words for what a schema accepts: `an integer 0..100`, `one of "page", "ticket"`, `a duration like 5m`. */
export function describeSchema(schema: TSchema): string {
  if (typeof schema.expected === 'string') return schema.expected
  switch (schema[Kind]) {
    case 'Integer':
      return `an integer${range(schema)}`
    case 'Number':
      return `a number${range(schema)}`
    case 'Boolean':
      return 'true or false'
    case 'Literal':
      return JSON.stringify(schema.const)
    case 'Union': {
      const options = (schema.anyOf as TSchema[]).map(describeSchema)
      return options.length === 1 ? options[0]! : `one of ${options.join(', ')}`
    }
    case 'String': {
      const length =
        schema.minLength !== undefined && schema.maxLength !== undefined
          ? ` of ${schema.minLength}..${schema.maxLength} characters`
          : schema.minLength === 1
            ? ' (not empty)'
            : ''
      return `a string${length}`
    }
    case 'Array': {
      const count =
        schema.minItems !== undefined && schema.maxItems !== undefined
          ? ` of ${schema.minItems}..${schema.maxItems} items`
          : schema.minItems !== undefined
            ? ` of at least ${schema.minItems} items`
            : ''
      return `a list${count}`
    }
    case 'Object':
      return `a mapping with ${Object.keys(schema.properties ?? {}).join(', ')}`
    default:
      return 'a valid value'
  }
}

function problemOf(error: ValueError): SchemaProblem {
  const path = fieldPath(error.path)
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      return { path, expected: 'is not a known field', got: quoteValue(error.value) }
    }
    case ValueErrorType.ObjectRequiredProperty:
      return { path, expected: `is required: ${describeSchema(error.schema)}`, got: 'nothing' }
    default:
      return { path, expected: `must be ${describeSchema(error.schema)}`, got: quoteValue(error.value) }
  }
}

/**
 * Every way `value` misses `schema`, one problem per field path: first the fields the author wrote (in document
 * order), then the required fields that are missing, so a wrong value is never hidden behind a list of absent
 * ones. Unknown keys name the closest allowed field and the fields allowed beside them, so a typo shows its fix.
 */
export function schemaProblems(schema: TSchema, value: unknown): SchemaProblem[] {
  const seen = new Set<string>()
  const written: SchemaProblem[] = []
  const missing: SchemaProblem[] = []
  for (const error of Value.Errors(schema, value)) {
    // A missing required property is reported twice by TypeBox (required + its own type); keep the first.
    if (seen.has(error.path)) continue
    seen.add(error.path)
    const tagged = taggedUnionProblems(error)
    if (tagged !== undefined) {
      for (const problem of tagged) (problem.got === 'nothing' ? missing : written).push(problem)
      continue
    }
    const problem = problemOf(error)
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      const parent = parentSchema(schema, error.path)
      const allowed = parent === undefined ? [] : Object.keys(parent.properties ?? {})
      const key = unescapePointer(error.path.split('/').at(-1) ?? '')
      const match = didYouMean(key, allowed)
      const hint = match === undefined ? '' : `did you mean "${match}"? `
      if (allowed.length > 0)
        problem.expected = `is not a known field (${hint}allowed: ${allowed.join(', ')})`
    }
    if (error.type === ValueErrorType.ObjectRequiredProperty || error.value === undefined)
      missing.push(problem)
    else written.push(problem)
  }
  return [...written, ...missing]
}

function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~')
}

function parentSchema(root: TSchema, pointer: string): TSchema | undefined {
  const parts = pointer.split('/').slice(1, -1)
  let schema: TSchema | undefined = root
  for (const part of parts) {
    if (schema === undefined) return undefined
    if (schema[Kind] === 'Object') schema = schema.properties?.[part]
    else if (schema[Kind] === 'Array') schema = schema.items
    else return undefined
  }
  return schema
}

/**
 * A union of mappings told apart by one literal field (`kind`): a value whose tag names no member gets "kind
 * must be one of …" (with the closest tag), and a value whose tag names one is judged by that member alone, so
 * the error names the field that is wrong rather than every shape the union allows. Undefined otherwise.
 */
function taggedUnionProblems(error: ValueError): SchemaProblem[] | undefined {
  if (error.type !== ValueErrorType.Union || error.schema[Kind] !== 'Union') return undefined
  const value = error.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const members = error.schema.anyOf as TSchema[]
  const tag = discriminator(members)
  if (tag === undefined) return undefined
  const tags = members.map((m) => m.properties[tag].const as string)
  const given = (value as Record<string, unknown>)[tag]
  const member = members.find((m) => m.properties[tag].const === given)
  if (member === undefined) {
    const match = typeof given === 'string' ? didYouMean(given, tags) : undefined
    return [
      {
        path: fieldPath(`${error.path}/${tag}`),
        expected: `must be one of ${tags.map((t) => JSON.stringify(t)).join(', ')}${match === undefined ? '' : ` (did you mean "${match}"?)`}`,
        got: quoteValue(given),
      },
    ]
  }
  return schemaProblems(member, value).map((p) => ({
    ...p,
    path: p.path === '(root)' ? fieldPath(error.path) : `${fieldPath(error.path)}.${p.path}`,
  }))
}

/** The field every member of a union of mappings holds as a literal, if there is one. */
function discriminator(members: readonly TSchema[]): string | undefined {
  const first = members[0]
  if (first === undefined || first[Kind] !== 'Object') return undefined
  return Object.keys(first.properties ?? {}).find((key) =>
    members.every((m) => m[Kind] === 'Object' && m.properties?.[key]?.[Kind] === 'Literal'),
  )
}
