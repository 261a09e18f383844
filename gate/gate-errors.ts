import { FiredrillError, FiredrillInputError } from '../services/platform/firedrill-error.ts'

/** Error codes of the gate part. A code is never reused. */
export const GateErrorCode = {
  GIT_FAILED: 'FIREDRILL_GATE_GIT_FAILED',
  PATCH_DOES_NOT_APPLY: 'FIREDRILL_GATE_PATCH_DOES_NOT_APPLY',
  GATE_FILE_MISSING: 'FIREDRILL_GATE_FILE_MISSING',
  GATE_FILE_INVALID: 'FIREDRILL_GATE_FILE_INVALID',
  NOT_A_REPOSITORY: 'FIREDRILL_GATE_NOT_A_REPOSITORY',
  REF_UNKNOWN: 'FIREDRILL_GATE_REF_UNKNOWN',
  KEY_INVALID: 'FIREDRILL_GATE_KEY_INVALID',
  TRUSTED_KEYS_INVALID: 'FIREDRILL_GATE_TRUSTED_KEYS_INVALID',
  TRUNK_UNKNOWN: 'FIREDRILL_GATE_TRUNK_UNKNOWN',
  SANDBOX_UNAVAILABLE: 'FIREDRILL_GATE_SANDBOX_UNAVAILABLE',
  MERGE_REFUSED: 'FIREDRILL_GATE_MERGE_REFUSED',
  MERGE_WORKTREE_DIRTY: 'FIREDRILL_GATE_MERGE_WORKTREE_DIRTY',
  MERGE_CONFLICT: 'FIREDRILL_GATE_MERGE_CONFLICT',
  ARTIFACT_BUILD_FAILED: 'FIREDRILL_ARTIFACT_BUILD_FAILED',
  ARTIFACT_CORRUPT: 'FIREDRILL_ARTIFACT_CORRUPT',
  DEPLOY_FAILED: 'FIREDRILL_DEPLOY_FAILED',
  DEPLOY_NOT_VERIFIED: 'FIREDRILL_DEPLOY_NOT_VERIFIED',
  DEPLOY_ROLLBACK_FAILED: 'FIREDRILL_DEPLOY_ROLLBACK_FAILED',
  DEPLOY_IN_PROGRESS: 'FIREDRILL_DEPLOY_IN_PROGRESS',
  ROLLBACK_UNPROVEN: 'FIREDRILL_ROLLBACK_UNPROVEN',
  GATE_RED: 'FIREDRILL_GATE_RED',
  VERIFY_POSTMORTEM_UNREADABLE: 'FIREDRILL_VERIFY_POSTMORTEM_UNREADABLE',
  VERIFY_POSTMORTEM_INVALID: 'FIREDRILL_VERIFY_POSTMORTEM_INVALID',
  MERGE_HOOK_EXISTS: 'FIREDRILL_GATE_MERGE_HOOK_EXISTS',
} as const

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

/**
 * A deploy was given an artifact whose content hash is not the one the earlier environment verified (a tag moved
 * to a rebuild, say): nothing was touched.
 */
export class DeployNotVerifiedError extends FiredrillError {
  readonly env: string
  readonly contentHash: string
  readonly verifiedContentHash: string

  constructor(env: string, artifact: { commit: string; contentHash: string }, verifiedContentHash: string) {
    super(
      GateErrorCode.DEPLOY_NOT_VERIFIED,
      `Refused to deploy ${artifact.commit.slice(0, 12)} to ${env}: its content hash ${artifact.contentHash.slice(0, 12)} is not the ${verifiedContentHash.slice(0, 12)} that was verified before it. No instance was touched. Promote the artifact by its content hash, not by a tag that can move, or verify this one first.`,
    )
    this.env = env
    this.contentHash = artifact.contentHash
    this.verifiedContentHash = verifiedContentHash
  }
}

/**
 * The pipeline could not prove, before a release, that production can go back to what it ran before: one leg of
 * the rehearsal (back to the previous artifact, or forward again) failed. The release must not start.
 */
export class RollbackUnprovenError extends FiredrillError {
  readonly env: string
  readonly leg: 'back' | 'forward'
  readonly slot: number
  readonly detail: string

  constructor(env: string, leg: 'back' | 'forward', slot: number, from: string, to: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super(
      GateErrorCode.ROLLBACK_UNPROVEN,
      `The rollback rehearsal on ${env} api slot ${slot} failed going ${leg} from ${from.slice(0, 12)} to ${to.slice(0, 12)}: ${detail} Nothing was released. Make the previous artifact deployable again (rebuild it from its commit if its files are gone) before releasing; a rollback that was never tried is not a way back.`,
      { cause },
    )
    this.env = env
    this.leg = leg
    this.slot = slot
    this.detail = detail
  }
}

/** Which check stopped a deploy: the instance did not start, did not become ready, or failed the smoke order. */
export type DeployCheck = 'start' | 'health' | 'smoke'

export class DeployFailedError extends FiredrillError {
  readonly env: string
  readonly commit: string
  readonly check: DeployCheck
  readonly slot: number | undefined
  /** What the failed check said. */
  readonly detail: string

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
    this.detail = detail
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

/** One thing wrong in a gate file: `path` is the field (`steps[2].timeout`). */
export interface GateFileProblem {
  path: string
  detail: string
}

export class GateFileMissingError extends FiredrillInputError {
  constructor(file: string, commit: string) {
    super(
      GateErrorCode.GATE_FILE_MISSING,
      `No gate file "${file}" in commit ${commit.slice(0, 12)} (trunk's gate file judges every change). Commit a firedrill-gate.yaml listing the gate's steps at the repository root on trunk.`,
    )
  }
}

export class GateFileInvalidError extends FiredrillInputError {
  readonly problems: readonly GateFileProblem[]

  constructor(file: string, problems: readonly GateFileProblem[]) {
    const shown = problems.slice(0, 5).map((p) => `${p.path} ${p.detail}`)
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''
    super(
      GateErrorCode.GATE_FILE_INVALID,
      `Invalid gate file "${file}": ${shown.join('; ')}${more}. Fix the file and commit it.`,
    )
    this.problems = problems
  }
}

export class NotARepositoryError extends FiredrillInputError {
  constructor(dir: string, cause?: unknown) {
    super(
      GateErrorCode.NOT_A_REPOSITORY,
      `"${dir}" is not inside a git repository. Pass --repo with the service repository's directory.`,
      { cause },
    )
  }
}

export class RefUnknownError extends FiredrillInputError {
  constructor(ref: string, dir: string, cause?: unknown) {
    super(
      GateErrorCode.REF_UNKNOWN,
      `"${ref}" names no commit in ${dir}. Pass a branch, tag or commit id that exists (git log shows them).`,
      { cause },
    )
  }
}

export class GateKeyInvalidError extends FiredrillInputError {
  constructor(detail: string, cause?: unknown) {
    super(
      GateErrorCode.KEY_INVALID,
      `The gate's signing key cannot be used: ${detail}. Put an Ed25519 private key (PKCS#8 PEM) in FIREDRILL_GATE_SIGNING_KEY, or unset it to use your own key file (created on first use under $XDG_CONFIG_HOME/firedrill/).`,
      { cause },
    )
  }
}

export class TrustedKeysInvalidError extends FiredrillInputError {
  constructor(file: string, ref: string, detail: string) {
    super(
      GateErrorCode.TRUSTED_KEYS_INVALID,
      `The trusted gate keys "${file}" on ${ref} cannot be read: ${detail}. It holds Ed25519 public keys as PEM blocks (firedrill gate --public-key prints one); fix it on ${ref}.`,
    )
  }
}

export class TrunkUnknownError extends FiredrillInputError {
  constructor(dir: string, detail: string) {
    super(
      GateErrorCode.TRUNK_UNKNOWN,
      `Cannot tell which branch is trunk in ${dir}: ${detail}. Pass --trunk BRANCH (the branch whose gate file and trusted keys judge every change).`,
    )
  }
}

export class SandboxUnavailableError extends FiredrillInputError {
  constructor(who: string, why: string) {
    super(
      GateErrorCode.SANDBOX_UNAVAILABLE,
      `${who} requires the sandbox, but it cannot be used here: ${why}. Install bubblewrap (apt-get install bubblewrap) on a machine that allows user namespaces, or run the gate where it does.`,
    )
  }
}

/**
 * Why a merge was refused, for tools: no record, a red record, a record whose signature fails, one signed by a
 * key trunk does not trust, or one judged by another gate file than trunk's.
 */
export type MergeRefusal = 'no-record' | 'red' | 'signature-invalid' | 'untrusted-key' | 'stale-gate-file'

export class MergeRefusedError extends FiredrillError {
  constructor(
    readonly branch: string,
    readonly commit: string,
    readonly refusal: MergeRefusal,
    why: string,
  ) {
    super(GateErrorCode.MERGE_REFUSED, `Refused to merge "${branch}" (${commit.slice(0, 12)}): ${why}`, {
      exitCode: 1,
    })
  }
}

export class MergeWorktreeDirtyError extends FiredrillError {
  constructor(dir: string, files: readonly string[]) {
    super(
      GateErrorCode.MERGE_WORKTREE_DIRTY,
      `Refused to merge: the work tree at ${dir} has uncommitted changes (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}). Commit or set them aside, then merge again.`,
      { exitCode: 1 },
    )
  }
}

export class MergeConflictError extends FiredrillError {
  constructor(branch: string, trunk: string, detail: string) {
    super(
      GateErrorCode.MERGE_CONFLICT,
      `Merging "${branch}" into "${trunk}" conflicts (${detail.trim().split('\n')[0]}); the merge was aborted. Rebase the branch on ${trunk}, run the gate again, then merge.`,
      { exitCode: 1 },
    )
  }
}

/** The gate stopped a commit: it does not travel on to trunk. */
export class GateRedError extends FiredrillError {
  constructor(
    readonly commit: string,
    readonly failedSteps: readonly string[],
  ) {
    super(
      GateErrorCode.GATE_RED,
      `The gate is red on ${commit.slice(0, 12)} (${failedSteps.join(', ')}): the change does not reach trunk. Fix it on its branch and run the gate again.`,
    )
  }
}

export class VerifyPostmortemUnreadableError extends FiredrillInputError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      GateErrorCode.VERIFY_POSTMORTEM_UNREADABLE,
      `Cannot read the postmortem "${file}": ${reason}. Pass the postmortem.json a drill wrote (firedrill report RUN_DIR rebuilds it).`,
      { cause },
    )
  }
}

export class VerifyPostmortemInvalidError extends FiredrillInputError {
  constructor(file: string, problems: readonly string[]) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''
    super(
      GateErrorCode.VERIFY_POSTMORTEM_INVALID,
      `The postmortem "${file}" cannot be verified: ${problems.slice(0, 5).join('; ')}${more}. Fix those fields, or rebuild it with firedrill report RUN_DIR.`,
    )
  }
}

export class MergeHookExistsError extends FiredrillInputError {
  constructor(file: string) {
    super(
      GateErrorCode.MERGE_HOOK_EXISTS,
      `The repository already has its own hook "${file}"; firedrill leaves it alone. Move it aside (or merge ` +
        'its checks into firedrill hook check-merge) and run firedrill hook install again.',
    )
  }
}

export { GitFailedError } from '../record/errors.ts'
