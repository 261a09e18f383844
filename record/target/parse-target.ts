import { Value } from '@sinclair/typebox/value'
import { parseAllDocuments } from 'yaml'
import { type SchemaProblem, schemaProblems } from '../../services/platform/schema-problems.ts'
import { type DeepReadonly, deepFreeze } from '../scenario/deep-freeze.ts'
import { parseDuration } from '../scenario/duration.ts'
import { fakerFieldProblem } from './faker-fields.ts'
import { TargetInvalidError, TargetYamlError } from './target-errors.ts'
import { type Target, TargetSchema } from './target-schema.ts'

/** Aliases a target file may expand; a hand-written file needs a handful. */
const MAX_ALIAS_COUNT = 100
/** How many problems one error lists; the rest are counted. */
const MAX_REPORTED_PROBLEMS = 5

export type ValidTarget = DeepReadonly<Target> & {
  readonly traffic: DeepReadonly<NonNullable<Target['traffic']>>
}

/**
 * Parses and validates target YAML: one document, aliases bounded, the schema (defaults applied, unknown keys
 * refused, with the closest known field), then the checks the schema cannot express. `file` names the source in
 * errors (exit 2). Returns a deeply frozen target.
 */
export function parseTarget(text: string, file: string): ValidTarget {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, merge: false })
  if (!Array.isArray(docs) || docs.length === 0)
    throw new TargetYamlError(
      file,
      'it is empty; a target is a mapping of name, service, slis, flags, traffic',
    )
  if (docs.length > 1)
    throw new TargetYamlError(file, `it holds ${docs.length} YAML documents; a target is exactly one`)
  const doc = docs[0]!
  const syntax = doc.errors[0]
  if (syntax !== undefined) {
    const line = syntax.linePos?.[0].line
    const detail = (syntax.message.split('\n')[0] ?? syntax.code).replace(/ at line \d+, column \d+:?$/, '')
    throw new TargetYamlError(file, `${line === undefined ? '' : `line ${line}: `}${detail}`)
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    throw new TargetYamlError(file, `its aliases cannot be expanded (${(err as Error).message})`)
  }
  if (raw === null || raw === undefined)
    throw new TargetYamlError(
      file,
      'it is empty; a target is a mapping of name, service, slis, flags, traffic',
    )
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalid(file, [
      {
        path: '(root)',
        expected: 'must be a mapping of target fields',
        got: Array.isArray(raw) ? 'a list' : typeof raw,
      },
    ])
  const withDefaults = Value.Default(TargetSchema, Value.Clone(raw)) as Record<string, unknown>
  withDefaults.traffic ??= { kind: 'none' }
  const problems = schemaProblems(TargetSchema, withDefaults)
  if (problems.length > 0) throw invalid(file, problems)
  const target = withDefaults as Target
  const cross = crossFieldProblems(target)
  if (cross.length > 0) throw invalid(file, cross)
  return deepFreeze(target) as ValidTarget
}

/**
 * Checks the schema cannot express: one URL or instances, faker fields that exist, a scrape interval ≥ 1 ms, one
 * kind of fix.
 */
export function crossFieldProblems(target: Target): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const { url, instances } = target.service
  if ((url === undefined) === (instances === undefined))
    problems.push({
      path: 'service',
      expected:
        'must give exactly one of url (one URL for the service) and instances (a list of instance URLs)',
      got: url === undefined ? 'neither' : 'both',
    })
  if (instances !== undefined && new Set(instances).size !== instances.length)
    problems.push({
      path: 'service.instances',
      expected: 'must not list an instance twice',
      got: JSON.stringify(instances),
    })
  if (parseDuration(target.slis.scrapeInterval) < 1)
    problems.push({
      path: 'slis.scrapeInterval',
      expected: 'must be at least 1ms',
      got: target.slis.scrapeInterval,
    })
  const traffic = target.traffic
  if (traffic?.kind === 'template') {
    const { path, headers, body } = traffic.request
    const fields: Array<[string, string]> = [['traffic.request.path', path]]
    for (const [name, value] of Object.entries(headers ?? {}))
      fields.push([`traffic.request.headers.${name}`, value])
    collectStrings(body, 'traffic.request.body', fields)
    for (const [where, text] of fields) {
      const problem = fakerFieldProblem(text)
      if (problem !== undefined)
        problems.push({
          path: where,
          expected: `must use faker fields that exist: ${problem}`,
          got: JSON.stringify(text),
        })
    }
  }
  problems.push(...dependencyProblems(target))
  const fix = target.repo?.fix
  if (fix !== undefined && (fix.patch === undefined) === (fix.branch === undefined))
    problems.push({
      path: 'repo.fix',
      expected:
        'must give exactly one of patch (a patch file, relative to the target file) and branch (a branch of the repository)',
      got: fix.patch === undefined ? 'neither' : 'both',
    })
  if (target.flags.source.kind === 'ofrep') {
    const [program] = target.flags.source.flip
    if (program !== undefined && /[{}]/.test(program))
      problems.push({
        path: 'flags.source.flip[0]',
        expected: 'must be the program to run, not a placeholder',
        got: JSON.stringify(program),
      })
  }
  return problems
}

/** Dependencies: each named once, each behind a proxy of its own, each degrade switch not the change's flag. */
function dependencyProblems(target: Target): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const names = new Set<string>()
  const proxies = new Map<string, string>()
  for (const [i, dependency] of (target.dependencies ?? []).entries()) {
    const at = `dependencies[${i}]`
    if (names.has(dependency.name))
      problems.push({ path: `${at}.name`, expected: 'must be unique', got: JSON.stringify(dependency.name) })
    names.add(dependency.name)
    const url = dependency.proxy.url.replace(/\/+$/, '')
    const other = proxies.get(url)
    if (other !== undefined)
      problems.push({
        path: `${at}.proxy.url`,
        expected: `must be a proxy of its own: ${other} is behind it already`,
        got: JSON.stringify(dependency.proxy.url),
      })
    proxies.set(url, dependency.name)
    if (dependency.degradeSwitch !== undefined && dependency.degradeSwitch === target.flags.flag)
      problems.push({
        path: `${at}.degradeSwitch`,
        expected:
          "must not be flags.flag: that flag guards the team's change; a degrade switch is another flag in the same source, off in normal running",
        got: JSON.stringify(dependency.degradeSwitch),
      })
  }
  return problems
}

function collectStrings(value: unknown, path: string, into: Array<[string, string]>): void {
  if (typeof value === 'string') into.push([path, value])
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) collectStrings(item, `${path}[${i}]`, into)
  } else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) collectStrings(item, `${path}.${key}`, into)
}

function invalid(file: string, problems: readonly SchemaProblem[]): TargetInvalidError {
  return new TargetInvalidError(file, problems.slice(0, MAX_REPORTED_PROBLEMS), problems.length)
}
