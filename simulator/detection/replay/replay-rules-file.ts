import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parseDocument } from 'yaml'
import { DURATION_PATTERN, parseDuration, scaleDuration } from '../../../record/scenario/duration.ts'
import { BurnRateRuleSchema } from '../../../record/scenario/scenario-schema.ts'
import { schemaProblems } from '../../../services/platform/schema-problems.ts'
import { RulesFileInvalidError, type RulesFileProblem } from '../errors.ts'
import type { ScaledRule } from '../scenario-detection.ts'

/**
 * A rule set to replay a drill against: burn-rate rules as a scenario's `detection.rules` states them (windows in
 * scenario time, scaled by the run's time scale), and optionally keep_firing_for (scenario time) and the
 * evaluation interval (wall-clock ms). What is left out is taken from the run.
 */
export const ReplayRulesFileSchema = Type.Object(
  {
    rules: Type.Array(BurnRateRuleSchema, { minItems: 1, maxItems: 20 }),
    keepFiringFor: Type.Optional(
      Type.String({ pattern: DURATION_PATTERN, expected: 'a duration like 10m or 0s' }),
    ),
    evaluationIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
  },
  { additionalProperties: false },
)

export type ReplayRulesFile = Static<typeof ReplayRulesFileSchema>

/** A rule set ready to replay: its name, rules in wall-clock ms, and what it leaves to the run (undefined). */
export interface ReplayRuleSet {
  name: string
  rules: ScaledRule[]
  keepFiringForMs?: number
  evaluationIntervalMs?: number
}

/** Reads and validates a rules file (YAML or JSON); every problem names its field. Exit 2 on any. */
export async function readReplayRulesFile(file: string, timeScale: number): Promise<ReplayRuleSet> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new RulesFileInvalidError(file, [
      {
        path: '(file)',
        expected: 'must be a readable file',
        got: (err as NodeJS.ErrnoException).code ?? 'unreadable',
      },
    ])
  }
  return parseReplayRules(text, file, timeScale)
}

export function parseReplayRules(text: string, file: string, timeScale: number): ReplayRuleSet {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  const syntax = doc.errors[0]
  if (syntax !== undefined)
    throw new RulesFileInvalidError(file, [
      { path: '(root)', expected: 'must be YAML or JSON', got: syntax.message.split('\n')[0] ?? syntax.code },
    ])
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw new RulesFileInvalidError(file, [
      { path: '(root)', expected: 'must be YAML or JSON', got: (err as Error).message },
    ])
  }
  const value = Value.Default(ReplayRulesFileSchema, Value.Clone(raw))
  const problems: RulesFileProblem[] =
    raw === null || typeof raw !== 'object' || Array.isArray(raw)
      ? [
          {
            path: '(root)',
            expected: 'must be a mapping with rules',
            got: raw === null ? 'nothing' : typeof raw,
          },
        ]
      : schemaProblems(ReplayRulesFileSchema, value)
  if (problems.length > 0) throw new RulesFileInvalidError(file, problems)
  const parsed = value as ReplayRulesFile
  const names = new Set<string>()
  parsed.rules.forEach((rule, i) => {
    if (names.has(rule.name))
      problems.push({ path: `rules[${i}].name`, expected: 'must be unique', got: JSON.stringify(rule.name) })
    names.add(rule.name)
    if (parseDuration(rule.shortWindow) >= parseDuration(rule.longWindow))
      problems.push({
        path: `rules[${i}].shortWindow`,
        expected: `must be shorter than longWindow (${rule.longWindow})`,
        got: JSON.stringify(rule.shortWindow),
      })
  })
  if (problems.length > 0) throw new RulesFileInvalidError(file, problems)
  return {
    name: basename(file),
    rules: parsed.rules.map((r) => ({
      name: r.name,
      severity: r.severity,
      burnRate: r.burnRate,
      longWindow: r.longWindow,
      shortWindow: r.shortWindow,
      longWindowMs: scaleDuration(r.longWindow, timeScale),
      shortWindowMs: scaleDuration(r.shortWindow, timeScale),
    })),
    ...(parsed.keepFiringFor === undefined
      ? {}
      : {
          keepFiringForMs:
            parseDuration(parsed.keepFiringFor) === 0 ? 0 : scaleDuration(parsed.keepFiringFor, timeScale),
        }),
    ...(parsed.evaluationIntervalMs === undefined
      ? {}
      : { evaluationIntervalMs: parsed.evaluationIntervalMs }),
  }
}
