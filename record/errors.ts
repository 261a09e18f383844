import { FiredrillError, FiredrillInputError } from '../services/platform/firedrill-error.ts'

/**
 * Error codes of the record part (scenarios, rosters, durations, journals, git history). A code is never reused;
 * add new ones at the end of their group.
 */
export const RecordErrorCode = {
  SCENARIO_NOT_FOUND: 'FIREDRILL_SCENARIO_NOT_FOUND',
  SCENARIO_UNREADABLE: 'FIREDRILL_SCENARIO_UNREADABLE',
  SCENARIO_TOO_LARGE: 'FIREDRILL_SCENARIO_TOO_LARGE',
  SCENARIO_ALIAS_LIMIT: 'FIREDRILL_SCENARIO_ALIAS_LIMIT',
  SCENARIO_YAML_SYNTAX: 'FIREDRILL_SCENARIO_YAML_SYNTAX',
  SCENARIO_MULTIPLE_DOCUMENTS: 'FIREDRILL_SCENARIO_MULTIPLE_DOCUMENTS',
  SCENARIO_INVALID: 'FIREDRILL_SCENARIO_INVALID',
  SCENARIO_EMPTY: 'FIREDRILL_SCENARIO_EMPTY',
  SCENARIO_NOT_TEXT: 'FIREDRILL_SCENARIO_NOT_TEXT',
  SCENARIO_NOT_REGULAR_FILE: 'FIREDRILL_SCENARIO_NOT_REGULAR_FILE',
  SCENARIO_FILE_NOT_FOUND: 'FIREDRILL_SCENARIO_FILE_NOT_FOUND',
  SCENARIO_FILE_OUTSIDE: 'FIREDRILL_SCENARIO_FILE_OUTSIDE',
  SCENARIO_FILE_NOT_REGULAR: 'FIREDRILL_SCENARIO_FILE_NOT_REGULAR',
  SCENARIO_FILE_TOO_LARGE: 'FIREDRILL_SCENARIO_FILE_TOO_LARGE',
  SCENARIO_FILE_UNREADABLE: 'FIREDRILL_SCENARIO_FILE_UNREADABLE',
  ROSTER_INVALID: 'FIREDRILL_ROSTER_INVALID',
  DURATION_INVALID: 'FIREDRILL_DURATION_INVALID',
  JOURNAL_EXISTS: 'FIREDRILL_JOURNAL_EXISTS',
  JOURNAL_CLOSED: 'FIREDRILL_JOURNAL_CLOSED',
  JOURNAL_WRITE_FAILED: 'FIREDRILL_JOURNAL_WRITE_FAILED',
  JOURNAL_NOT_FOUND: 'FIREDRILL_JOURNAL_NOT_FOUND',
  JOURNAL_CORRUPT: 'FIREDRILL_JOURNAL_CORRUPT',
  GIT_FAILED: 'FIREDRILL_GIT_FAILED',
  SCENARIO_WRONG_SERVICE: 'FIREDRILL_SCENARIO_WRONG_SERVICE',
} as const

export type RecordErrorCode = (typeof RecordErrorCode)[keyof typeof RecordErrorCode]

export class ScenarioNotFoundError extends FiredrillInputError {
  constructor(what: string, lookedAt: string, available: readonly string[]) {
    const names = available.length > 0 ? available.join(', ') : 'none'
    super(
      RecordErrorCode.SCENARIO_NOT_FOUND,
      `Scenario "${what}" not found (looked at ${lookedAt}). ` +
        `Pass a catalog name (built in: ${names}) or the path of a scenario.yaml; \`firedrill scenarios\` lists the catalog.`,
    )
  }
}

export class ScenarioUnreadableError extends FiredrillInputError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      RecordErrorCode.SCENARIO_UNREADABLE,
      `Failed to read scenario "${file}": ${reason}. Check that it is a readable file.`,
      { cause },
    )
  }
}

export class ScenarioTooLargeError extends FiredrillInputError {
  constructor(file: string, bytes: number, limitBytes: number) {
    super(
      RecordErrorCode.SCENARIO_TOO_LARGE,
      `Refused scenario "${file}": it is ${bytes} bytes, more than the ${limitBytes}-byte limit. ` +
        'A scenario is a short YAML file; move bulky data (patches, rosters) into files next to it.',
    )
  }
}

export class ScenarioAliasLimitError extends FiredrillInputError {
  constructor(file: string, limit: number, cause: unknown) {
    super(
      RecordErrorCode.SCENARIO_ALIAS_LIMIT,
      `Refused scenario "${file}": its YAML aliases expand past ${limit} nodes, which looks like an alias bomb. ` +
        'Write the values out instead of repeating anchors.',
      { cause },
    )
  }
}

export class ScenarioYamlSyntaxError extends FiredrillInputError {
  constructor(file: string, line: number | undefined, detail: string) {
    const where = line === undefined ? '' : `line ${line}: `
    super(
      RecordErrorCode.SCENARIO_YAML_SYNTAX,
      `Failed to load scenario "${file}": ${where}${detail}. Fix the YAML and run again.`,
    )
  }
}

export class ScenarioMultipleDocumentsError extends FiredrillInputError {
  constructor(file: string, count: number) {
    super(
      RecordErrorCode.SCENARIO_MULTIPLE_DOCUMENTS,
      `Failed to load scenario "${file}": it holds ${count} YAML documents; a scenario is exactly one. ` +
        'Remove the extra `---` separators or split the file.',
    )
  }
}

/** One thing wrong with a scenario: where (`release.steps[2].percent`), what was expected, what was found. */
export interface ScenarioProblem {
  path: string
  expected: string
  got: string
}

export class ScenarioInvalidError extends FiredrillInputError {
  readonly file: string
  readonly problems: readonly ScenarioProblem[]

  constructor(file: string, problems: readonly ScenarioProblem[], totalProblems = problems.length) {
    const lines = problems.map((p) => `${file}: ${p.path} ${p.expected} (got ${p.got})`)
    const more = totalProblems > problems.length ? `\n  … and ${totalProblems - problems.length} more` : ''
    super(
      RecordErrorCode.SCENARIO_INVALID,
      `Failed to load scenario "${file}":\n  ${lines.join('\n  ')}${more}\nFix these fields and run again.`,
    )
    this.file = file
    this.problems = problems
  }
}

export class ScenarioEmptyError extends FiredrillInputError {
  constructor(file: string) {
    super(
      RecordErrorCode.SCENARIO_EMPTY,
      `Failed to load scenario "${file}": it is empty (nothing but blank lines, comments or an empty document). ` +
        'A scenario is a YAML mapping (title, description, seed, timeScale, service, traffic, change, release, …); ' +
        'start from a copy of simulator/scenarios/bad-pricing/scenario.yaml.',
    )
  }
}

export class ScenarioNotTextError extends FiredrillInputError {
  constructor(file: string, line: number) {
    super(
      RecordErrorCode.SCENARIO_NOT_TEXT,
      `Failed to load scenario "${file}": it is not UTF-8 text (the first invalid bytes are on line ${line}). ` +
        'Save it as UTF-8.',
    )
  }
}

export class ScenarioNotRegularFileError extends FiredrillInputError {
  constructor(file: string, what: string) {
    super(
      RecordErrorCode.SCENARIO_NOT_REGULAR_FILE,
      `Refused scenario "${file}": it is a ${what}, not a regular file. Pass a scenario.yaml file or its folder.`,
    )
  }
}

/** A file the scenario names (in `field`: team, change.patch, followUp.fix, …) that cannot be used. */
export abstract class ScenarioFileError extends FiredrillInputError {
  readonly file: string
  readonly field: string

  constructor(code: string, file: string, field: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.file = file
    this.field = field
  }
}

export class ScenarioFileNotFoundError extends ScenarioFileError {
  constructor(file: string, field: string, ref: string, lookedAt: string) {
    super(
      RecordErrorCode.SCENARIO_FILE_NOT_FOUND,
      file,
      field,
      `Failed to load scenario "${file}": ${field} names "${ref}", which is not there (looked for ${lookedAt}). ` +
        "Put the file in the scenario's folder, or fix the name.",
    )
  }
}

export class ScenarioFileOutsideError extends ScenarioFileError {
  constructor(file: string, field: string, ref: string, resolved: string, folder: string) {
    super(
      RecordErrorCode.SCENARIO_FILE_OUTSIDE,
      file,
      field,
      `Refused scenario "${file}": ${field} names "${ref}", which resolves to ${resolved}, outside the scenario's ` +
        `folder ${folder}. A scenario may only name files in its own folder (no "..", no symlinks out of it); ` +
        'copy the file into the folder and name it from there.',
    )
  }
}

export class ScenarioFileNotRegularError extends ScenarioFileError {
  constructor(file: string, field: string, ref: string, what: string) {
    super(
      RecordErrorCode.SCENARIO_FILE_NOT_REGULAR,
      file,
      field,
      `Refused scenario "${file}": ${field} names "${ref}", which is a ${what}, not a regular file. ` +
        "Name a regular file in the scenario's folder.",
    )
  }
}

export class ScenarioFileTooLargeError extends ScenarioFileError {
  constructor(file: string, field: string, ref: string, bytes: number, limitBytes: number) {
    super(
      RecordErrorCode.SCENARIO_FILE_TOO_LARGE,
      file,
      field,
      `Refused scenario "${file}": ${field} names "${ref}", which is ${bytes} bytes or more, past the ` +
        `${limitBytes}-byte limit for ${field}. Make it smaller.`,
    )
  }
}

export class ScenarioFileUnreadableError extends ScenarioFileError {
  constructor(file: string, field: string, ref: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      RecordErrorCode.SCENARIO_FILE_UNREADABLE,
      file,
      field,
      `Failed to load scenario "${file}": cannot read "${ref}", named by ${field} (${reason}). Check that it is a readable file.`,
      { cause },
    )
  }
}

export class RosterInvalidError extends FiredrillInputError {
  constructor(file: string, detail: string) {
    super(
      RecordErrorCode.ROSTER_INVALID,
      `Failed to load the team roster "${file}": ${detail}. ` +
        'A roster lists `members` with a `name`, a `handle` and their `roles`.',
    )
  }
}

export class DurationInvalidError extends FiredrillInputError {
  constructor(text: string) {
    super(
      RecordErrorCode.DURATION_INVALID,
      `"${text}" is not a duration. Write one like 250ms, 5m, 1h, 1h30m or 30d (units: ms, s, m, h, d, w).`,
    )
  }
}

export class JournalExistsError extends FiredrillInputError {
  constructor(file: string, cause: unknown) {
    super(
      RecordErrorCode.JOURNAL_EXISTS,
      `The journal "${file}" already exists: a run's journal has exactly one writer. ` +
        'Use a fresh --out directory for each run.',
      { cause },
    )
  }
}

/** Appending to a closed journal is a bug in the caller, not a user mistake. */
export class JournalClosedError extends FiredrillError {
  constructor(file: string, type: string) {
    super(RecordErrorCode.JOURNAL_CLOSED, `Cannot append "${type}" to the journal "${file}": it is closed.`)
  }
}

export class JournalWriteFailedError extends FiredrillError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      RecordErrorCode.JOURNAL_WRITE_FAILED,
      `Failed to write the journal "${file}": ${reason}. Check free disk space and permissions on the run directory.`,
      { cause },
    )
  }
}

export class JournalNotFoundError extends FiredrillInputError {
  constructor(file: string, cause: unknown) {
    super(
      RecordErrorCode.JOURNAL_NOT_FOUND,
      `No journal at "${file}". Pass a run directory that holds a journal.jsonl (runs go to .firedrill/runs/ by default).`,
      { cause },
    )
  }
}

export class JournalCorruptError extends FiredrillInputError {
  readonly line: number

  constructor(file: string, line: number, detail: string) {
    super(
      RecordErrorCode.JOURNAL_CORRUPT,
      `The journal "${file}" is corrupt at line ${line}: ${detail}. ` +
        'Only a cut-off last line is tolerated (a crashed run); a damaged line in the middle means the file was edited or the disk failed.',
    )
    this.line = line
  }
}

/** A git command failed; `git` names it with its stderr. */
export class GitFailedError extends FiredrillError {
  constructor(args: readonly string[], stderr: string, cause?: unknown) {
    super(RecordErrorCode.GIT_FAILED, `git ${args.join(' ')} failed: ${stderr.trim() || 'no output'}`, {
      cause,
    })
  }
}

/** A scenario run against the wrong kind of service: a target's scenario without `--target`, or the shop's with it. */
export class ScenarioWrongServiceError extends FiredrillInputError {
  constructor(scenario: string, kind: 'builtin-shop' | 'target') {
    super(
      RecordErrorCode.SCENARIO_WRONG_SERVICE,
      kind === 'target'
        ? `Scenario "${scenario}" drills a target (service.kind target): give the target file with --target FILE, or pick a scenario of the built-in shop (firedrill scenarios).`
        : `Scenario "${scenario}" drills the built-in shop (service.kind builtin-shop), not a target: run it without --target, or give a target's scenario (like target-canary) with --scenario.`,
    )
  }
}
