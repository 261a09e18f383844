import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'
import type { SchemaProblem } from '../../services/platform/schema-problems.ts'

/** Error codes of target files. A code is never reused; add new ones at the end. */
export const TargetErrorCode = {
  TARGET_NOT_FOUND: 'FIREDRILL_TARGET_NOT_FOUND',
  TARGET_UNREADABLE: 'FIREDRILL_TARGET_UNREADABLE',
  TARGET_YAML: 'FIREDRILL_TARGET_YAML',
  TARGET_INVALID: 'FIREDRILL_TARGET_INVALID',
} as const

export type TargetErrorCode = (typeof TargetErrorCode)[keyof typeof TargetErrorCode]

export class TargetNotFoundError extends FiredrillInputError {
  constructor(file: string) {
    super(
      TargetErrorCode.TARGET_NOT_FOUND,
      `Target file "${file}" not found. Pass the path of a target.yaml; examples/shop-target/target.yaml is one to copy.`,
    )
  }
}

export class TargetUnreadableError extends FiredrillInputError {
  constructor(file: string, why: string, cause?: unknown) {
    super(TargetErrorCode.TARGET_UNREADABLE, `Failed to read target "${file}": ${why}.`, { cause })
  }
}

/** Not one YAML mapping: a syntax error, several documents, an alias bomb, or nothing at all. */
export class TargetYamlError extends FiredrillInputError {
  constructor(file: string, detail: string) {
    super(
      TargetErrorCode.TARGET_YAML,
      `Failed to load target "${file}": ${detail}. Fix the YAML and run again.`,
    )
  }
}

export class TargetInvalidError extends FiredrillInputError {
  readonly file: string
  readonly problems: readonly SchemaProblem[]

  constructor(file: string, problems: readonly SchemaProblem[], totalProblems = problems.length) {
    const lines = problems.map((p) => `${file}: ${p.path} ${p.expected} (got ${p.got})`)
    const more = totalProblems > problems.length ? `\n  … and ${totalProblems - problems.length} more` : ''
    super(
      TargetErrorCode.TARGET_INVALID,
      `Failed to load target "${file}":\n  ${lines.join('\n  ')}${more}\nFix these fields and run again.`,
    )
    this.file = file
    this.problems = problems
  }
}
