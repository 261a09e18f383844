import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of the DORA measurement. A code is never reused; add new ones at the end. */
export const DoraErrorCode = {
  EVENTS_UNREADABLE: 'FIREDRILL_DORA_EVENTS_UNREADABLE',
  EVENTS_INVALID: 'FIREDRILL_DORA_EVENTS_INVALID',
  RUNS_NOT_FOUND: 'FIREDRILL_DORA_RUNS_NOT_FOUND',
  DATE_INVALID: 'FIREDRILL_DORA_DATE_INVALID',
  REPO_INVALID: 'FIREDRILL_DORA_REPO_INVALID',
} as const

export type DoraErrorCode = (typeof DoraErrorCode)[keyof typeof DoraErrorCode]

export class DoraEventsUnreadableError extends FiredrillInputError {
  constructor(file: string, detail: string, cause?: unknown) {
    super(
      DoraErrorCode.EVENTS_UNREADABLE,
      `Failed to read DORA events "${file}": ${detail}. Pass a JSON file holding {changes, deployments, incidents} (firedrill dora --json writes one under "tables"), the CSV firedrill dora --csv writes, or a BigQuery export (CSV, JSON or JSON lines) of fourkeys' events_raw, changes, deployments or incidents table.`,
      { cause },
    )
  }
}

export class DoraEventsInvalidError extends FiredrillInputError {
  readonly file: string
  readonly field: string

  constructor(file: string, field: string, detail: string) {
    super(
      DoraErrorCode.EVENTS_INVALID,
      `Failed to load DORA events "${file}": ${field} ${detail}. Fix this field and run again.`,
    )
    this.file = file
    this.field = field
  }
}

export class DoraRunsNotFoundError extends FiredrillInputError {
  constructor(what: string) {
    super(
      DoraErrorCode.RUNS_NOT_FOUND,
      `No run journal found at "${what}". Pass --runs with a directory of runs (each holding journal.jsonl), a run directory, or --events FILE.`,
    )
  }
}

export class DoraDateInvalidError extends FiredrillInputError {
  constructor(flag: string, text: string) {
    super(
      DoraErrorCode.DATE_INVALID,
      `--${flag} must be a date like 2026-01-31 or an ISO-8601 instant (got "${text}").`,
    )
  }
}

export class DoraRepoInvalidError extends FiredrillInputError {
  readonly repo: string

  constructor(option: string, repo: string, detail: string, cause?: unknown) {
    super(
      DoraErrorCode.REPO_INVALID,
      `--${option} "${repo}" cannot give the trunk's history: ${detail}. Pass the top directory of a git repository and, with --trunk, a branch it has (default main).`,
      { cause },
    )
    this.repo = repo
  }
}
