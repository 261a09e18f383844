import { Value } from '@sinclair/typebox/value'
import { PostmortemSchema } from '../postmortem-schema.ts'
import { findBlameWording } from './blame-wording.ts'

export interface LintProblem {
  /** Where in the postmortem's JSON: `actionItems[0].owner`, `lessons.gotLucky`, `(root)`. */
  path: string
  message: string
}

export interface LintResult {
  ok: boolean
  problems: LintProblem[]
}

export interface LintOptions {
  /** More names (from the team roster) whose "… forgot" is blame; the owners named in the document count too. */
  names?: readonly string[]
}

/** Sections that must be present and say something: text non-blank, lists non-empty. */
const REQUIRED_SECTIONS = [
  'summary',
  'impact',
  'rootCauses',
  'trigger',
  'resolution',
  'detection',
  'actionItems',
  'lessons.wentWell',
  'lessons.wentWrong',
  'lessons.gotLucky',
  'timeline',
] as const

const ITEM_TYPES = ['prevent', 'detect', 'mitigate', 'process']

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const at = (model: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), model)

/** `/actionItems/0/owner` → `actionItems[0].owner`. */
function dotted(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  return (
    parts.reduce(
      (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
      '',
    ) || '(root)'
  )
}

/** A real calendar day in `YYYY-MM-DD`. */
function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const time = Date.parse(`${value}T00:00:00Z`)
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(value)
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.trim() === ''
  if (Array.isArray(value)) return value.length === 0
  if (isObject(value)) return Object.keys(value).length === 0
  return false
}

function sectionProblems(model: unknown): LintProblem[] {
  return REQUIRED_SECTIONS.flatMap((path) => {
    const value = at(model, path)
    if (value === undefined) return [{ path, message: 'section is missing' }]
    return isEmpty(value) ? [{ path, message: 'section is empty' }] : []
  })
}

function itemProblems(model: unknown): LintProblem[] {
  const items = at(model, 'actionItems')
  if (!Array.isArray(items)) return []
  const problems: LintProblem[] = []
  items.forEach((item: unknown, i) => {
    const path = `actionItems[${i}]`
    const field = (key: string) => (isObject(item) ? item[key] : undefined)
    if (isEmpty(field('owner')))
      problems.push({ path: `${path}.owner`, message: 'has no owner: name one from the team roster' })
    if (field('dueDate') === undefined || isEmpty(field('dueDate')))
      problems.push({ path: `${path}.dueDate`, message: 'has no due date' })
    else if (!isDate(field('dueDate')))
      problems.push({
        path: `${path}.dueDate`,
        message: `due date ${JSON.stringify(field('dueDate'))} is not a YYYY-MM-DD day`,
      })
    if (!ITEM_TYPES.includes(field('type') as string))
      problems.push({ path: `${path}.type`, message: `has no type: one of ${ITEM_TYPES.join(', ')}` })
  })
  if (items.length > 0 && !items.some((item: unknown) => isObject(item) && item.type === 'prevent'))
    problems.push({
      path: 'actionItems',
      message: 'no prevent item: at least one item must stop a recurrence',
    })
  return problems
}

/** Names whose "… forgot" is blame: the options' and every owner's handle, full name and first name. */
function namesIn(model: unknown, extra: readonly string[]): string[] {
  const items = at(model, 'actionItems')
  const names = new Set(extra)
  for (const item of Array.isArray(items) ? items : []) {
    if (!isObject(item)) continue
    for (const key of ['owner', 'ownerName']) {
      const name = item[key]
      if (typeof name !== 'string' || name.trim() === '') continue
      names.add(name)
      names.add(name.split(/\s+/)[0]!)
    }
  }
  return [...names]
}

function blameProblems(node: unknown, path: string, names: readonly string[]): LintProblem[] {
  if (typeof node === 'string')
    return findBlameWording(node, names).map((phrase) => ({
      path: path || '(root)',
      message: `blame wording "${phrase}": describe the system and the decision, not a person's fault`,
    }))
  if (Array.isArray(node)) return node.flatMap((v, i) => blameProblems(v, `${path}[${i}]`, names))
  if (isObject(node))
    return Object.entries(node).flatMap(([k, v]) => blameProblems(v, path ? `${path}.${k}` : k, names))
  return []
}

/**
 * Lints a postmortem model (parsed JSON): every required section present and non-empty, every action item
 * owned, dated and typed, at least one `prevent` item, no blame wording in any text field, and the shape of
 * the JSON schema. Each problem names the field's path. Never throws: anything that is not a postmortem is
 * a list of problems.
 */
export function lintPostmortem(model: unknown, options: LintOptions = {}): LintResult {
  if (!isObject(model)) return { ok: false, problems: [{ path: '(root)', message: 'is not a JSON object' }] }
  const problems = [
    ...sectionProblems(model),
    ...itemProblems(model),
    ...blameProblems(model, '', namesIn(model, options.names ?? [])),
  ]
  const covered = (path: string) =>
    problems.some((p) => path === p.path || path.startsWith(`${p.path}.`) || path.startsWith(`${p.path}[`))
  for (const error of Value.Errors(PostmortemSchema, model)) {
    const path = dotted(error.path)
    if (covered(path)) continue
    problems.push({ path, message: `does not fit the postmortem schema: ${error.message}` })
  }
  return { ok: problems.length === 0, problems }
}
