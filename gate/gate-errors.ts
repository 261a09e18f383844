import { FiredrillError } from '../services/platform/firedrill-error.ts'

/** Error codes of the gate part. A code is never reused. */
export const GateErrorCode = {
  GIT_FAILED: 'FIREDRILL_GATE_GIT_FAILED',
  PATCH_DOES_NOT_APPLY: 'FIREDRILL_GATE_PATCH_DOES_NOT_APPLY',
  ARTIFACT_BUILD_FAILED: 'FIREDRILL_ARTIFACT_BUILD_FAILED',
  ARTIFACT_CORRUPT: 'FIREDRILL_ARTIFACT_CORRUPT',
  DEPLOY_FAILED: 'FIREDRILL_DEPLOY_FAILED',
  DEPLOY_ROLLBACK_FAILED: 'FIREDRILL_DEPLOY_ROLLBACK_FAILED',
  DEPLOY_IN_PROGRESS: 'FIREDRILL_DEPLOY_IN_PROGRESS',
} as const

export class GitFailedError extends FiredrillError {
  constructor(args: readonly string[], stderr: string, cause?: unknown) {
    super(GateErrorCode.GIT_FAILED, `git ${args.join(' ')} failed: ${stderr.trim() || 'no output'}`, {
      cause,
    })
  }
}

export class PatchDoesNotApplyError extends FiredrillError {
  constructor(patch: string, detail: string) {
    super(
      GateErrorCode.PATCH_DOES_NOT_APPLY,
      `The change "${patch}" does not apply to the service repository: ${detail.trim()}. Regenerate it against the current services/ with git diff.`,
      { exitCode: 2 },
    )
  }
}

export class ArtifactBuildFailedError extends FiredrillError {
  constructor(commit: string, detail: string, cause?: unknown) {
    super(
      GateErrorCode.ARTIFACT_BUILD_FAILED,
      `Could not build an artifact of commit ${commit}: ${detail}`,
      cause === undefined ? {} : { cause },
    )
  }
}

export class ArtifactCorruptError extends FiredrillError {
  constructor(dir: string, problems: readonly string[]) {
    super(
      GateErrorCode.ARTIFACT_CORRUPT,
      `The artifact in ${dir} does not match its manifest (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}). Artifacts are immutable: remove that directory and build the commit again.`,
    )
  }
}

/** Which check stopped a deploy: the instance did not start, did not become ready, or failed the smoke order. */
export type DeployCheck = 'start' | 'health' | 'smoke'

export class DeployFailedError extends FiredrillError {
  readonly env: string
  readonly commit: string
  readonly check: DeployCheck
  readonly slot: number | undefined

  constructor(
    env: string,
    commit: string,
    check: DeployCheck,
    slot: number | undefined,
    detail: string,
    cause?: unknown,
  ) {
    const where = slot === undefined ? `the ${check} check` : `the ${check} check of api slot ${slot}`
    super(
      GateErrorCode.DEPLOY_FAILED,
      `Deploying ${commit.slice(0, 12)} to ${env} failed at ${where}: ${detail}. Every updated slot was rolled back to the artifact it ran before; fix the change and deploy a new build.`,
      cause === undefined ? {} : { cause },
    )
    this.env = env
    this.commit = commit
    this.check = check
    this.slot = slot
  }
}

export class DeployRollbackFailedError extends FiredrillError {
  readonly env: string
  readonly commit: string
  readonly failedSlots: readonly number[]

  constructor(env: string, commit: string, failedSlots: readonly number[], detail: string, cause?: unknown) {
    super(
      GateErrorCode.DEPLOY_ROLLBACK_FAILED,
      `Deploying ${commit.slice(0, 12)} to ${env} failed (${detail}), and rolling back did not bring api slot(s) ${failedSlots.join(', ')} back. Those slots serve nothing now: check the environment's Redis and ports, then deploy a known good artifact.`,
      cause === undefined ? {} : { cause },
    )
    this.env = env
    this.commit = commit
    this.failedSlots = failedSlots
  }
}

export class DeployInProgressError extends FiredrillError {
  constructor(env: string) {
    super(
      GateErrorCode.DEPLOY_IN_PROGRESS,
      `A deploy to ${env} is already running. Wait for it to finish (deployArtifact resolves or throws) before starting another.`,
    )
  }
}
