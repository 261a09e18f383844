import { readFile } from 'node:fs/promises'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parse } from 'yaml'
import { schemaProblems } from '../services/platform/schema-problems.ts'
import { RubricInvalidError, RubricUnreadableError } from './capstone-errors.ts'
import { CRITERIA, CRITERION_IDS, type CriterionId } from './criteria.ts'

/** The rubric's file name at the capstone repository's root. */
export const RUBRIC_FILE = 'capstone-rubric.yaml'

const Points = Type.Integer({ minimum: 0, maximum: 1000, expected: 'whole points, 0..1000' })

export const RubricSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** Points per criterion; a criterion left out is worth nothing. */
    points: Type.Object(Object.fromEntries(CRITERION_IDS.map((id) => [id, Type.Optional(Points)])), {
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
)

export type Rubric = Static<typeof RubricSchema>

/** Without a rubric: every acceptance criterion weighs the same, stretch goals nothing. */
export const DEFAULT_RUBRIC: Rubric = {
  version: 1,
  points: Object.fromEntries(CRITERIA.map((c) => [c.id, c.kind === 'acceptance' ? 20 : 0])),
}

export function pointsOf(rubric: Rubric, id: CriterionId): number {
  return (rubric.points as Record<string, number | undefined>)[id] ?? 0
}

/** The rubric file `firedrill init` writes: the default weights, for a teacher to change. */
export function rubricTemplate(): string {
  const lines = CRITERIA.map(
    (c) => `  ${c.id}: ${pointsOf(DEFAULT_RUBRIC, c.id)}${c.kind === 'stretch' ? '   # stretch goal' : ''}`,
  )
  return `# Points per capstone criterion, for firedrill grade (--json, --junit and --classroom carry them).
# Every acceptance criterion must pass for grade to exit 0; stretch goals only add points.
version: 1
points:
${lines.join('\n')}
`
}

/** Reads and validates a rubric file; mistakes are input errors (exit 2) naming the field and the fix. */
export async function loadRubric(file: string): Promise<Rubric> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new RubricUnreadableError(file, code === 'ENOENT' ? 'no such file' : (err as Error).message)
  }
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    throw new RubricUnreadableError(file, `it is not YAML (${(err as Error).message.split('\n')[0]})`)
  }
  const problems = schemaProblems(RubricSchema, raw)
  if (problems.length > 0)
    throw new RubricInvalidError(
      file,
      problems.map((p) => `${p.path} ${p.expected} (got ${p.got})`),
    )
  return Value.Clone(raw) as Rubric
}
