import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'
import type { SchemaProblem } from '../../services/platform/schema-problems.ts'

/** Error codes of target files. A code is never reused; add new ones at the end. */
export const TargetErrorCode = {
  TARGET_NOT_FOUND: 'FIREDRILL_TARGET_NOT_FOUND',
  TARGET_UNREADABLE: 'FIREDRILL_TARGET_UNREADABLE',
  TARGET_YAML: 'FIREDRILL_TARGET_YAML',
  TARGET_INVALID: 'FIREDRILL_TARGET_INVALID',
  TARGET_DEPENDENCY_MISSING: 'FIREDRILL_TARGET_DEPENDENCY_MISSING',
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

/** A dependency-fault scenario names a dependency the target file does not list (or it lists none). */
export class TargetDependencyMissingError extends FiredrillInputError {
  constructor(file: string, scenario: string, wanted: string | undefined, listed: readonly string[]) {
    super(
      TargetErrorCode.TARGET_DEPENDENCY_MISSING,
      listed.length === 0
        ? `Target "${file}" lists no dependencies, and scenario "${scenario}" fails one behind firedrill's fault proxy: add dependencies: [{ name, proxy: { url } }] to the target file (its README section shows how), or run another scenario.`
        : `Target "${file}": dependencies has no "${wanted}" (scenario "${scenario}" change.fault.dependency); it lists ${listed.join(', ')}. Name one of those in the scenario, or add it to the target file.`,
    )
  }
}

/** Refuses a dependency-fault scenario whose dependency the target does not list: nothing is contacted. */
export function requireScenarioDependency(
  file: string,
  scenario: string,
  fault: { kind: string; dependency?: string },
  dependencies: readonly { name: string }[] | undefined,
): void {
  if (fault.kind !== 'dependency-fault') return
  const listed = (dependencies ?? []).map((d) => d.name)
  const wanted = fault.dependency ?? listed[0]
  if (wanted === undefined || !listed.includes(wanted))
    throw new TargetDependencyMissingError(file, scenario, wanted, listed)
}
