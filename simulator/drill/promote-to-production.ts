import type { Artifact } from '../../gate/build/artifact.ts'
import { resolveTag, tagArtifact } from '../../gate/build/artifact-tags.ts'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { deployArtifact } from '../../gate/deploy/deploy-artifact.ts'
import type { DeployEvent } from '../../gate/deploy/deploy-event.ts'
import type { Environment } from '../../gate/deploy/environment.ts'
import { DeployNotVerifiedError } from '../../gate/gate-errors.ts'
import { commitPatch, type SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { git } from '../../record/git/git.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'

/** `change.stoppedBy` when production's deploy verification must refuse what its tag names. */
export const DEPLOY_VERIFICATION = 'deploy-verification'
/**
 * `change.stoppedBy` when production's rolling deploy must roll itself back: the new instances never pass their
 * health check, so nothing is released.
 */
export const DEPLOY_HEALTH = 'deploy-health'

export interface PromoteOptions {
  loaded: LoadedScenario
  repo: SandboxRepo
  store: string
  /** The artifact staging verified. */
  verified: Artifact
  production: Environment
  record(event: NewJournalEvent): Promise<unknown>
  say(line: string): void
  onEvent(event: DeployEvent): void
  /** A rolling release's batch: the api slots to update. @defaultValue every slot */
  slots?: readonly number[]
  /** The slots take no traffic yet (a blue-green release's green set). @defaultValue false */
  idle?: boolean
}

/**
 * Production's deploy, as a pipeline that promotes by tag does it: the artifact staging verified is tagged
 * (`release`), production deploys what the tag names when it looks, and the deploy refuses any artifact whose
 * content hash is not the one staging verified. An `artifact-retagged` scenario moves the tag in between, to a
 * rebuild from trunk plus an edit no gate saw. Returns whether production refused it (the scenario's expected
 * stop); a refusal the scenario does not expect, or a rebuild that deploys when the scenario expects a refusal,
 * throws.
 */
export async function promoteToProduction(options: PromoteOptions): Promise<{ refused: boolean }> {
  const { loaded, repo, store, verified, record, say } = options
  const { fault, stoppedBy } = loaded.scenario.change
  const tag = fault.kind === 'artifact-retagged' ? fault.tag : 'release'
  const tagged = async (artifact: Artifact) => {
    const previous = await tagArtifact(store, tag, artifact)
    await record({
      type: 'artifact.tagged',
      data: {
        tag,
        commit: artifact.commit,
        contentHash: artifact.contentHash,
        ...(previous === null || previous.contentHash === artifact.contentHash ? {} : { previous }),
      },
    })
  }
  await tagged(verified)

  const rebuild = loaded.files['change.fault.rebuild']
  if (fault.kind === 'artifact-retagged' && rebuild !== undefined) {
    const head = await commitPatch(repo, rebuild, `rebuild/${tag}`, `chore: rebuild ${tag}\n\n${fault.drift}`)
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    const rebuilt = await buildArtifact({ repo, commit: head, store })
    await tagged(rebuilt)
    say(`tag ${tag} moved to a rebuild (${rebuilt.contentHash.slice(0, 12)}): ${fault.drift}`)
  }

  const candidate = await resolveTag(store, tag)
  if (candidate === undefined) throw new Error(`tag ${tag} names no artifact in ${store}`)
  try {
    await deployArtifact(options.production, candidate, {
      onEvent: options.onEvent,
      verifiedContentHash: verified.contentHash,
      ...(options.slots === undefined ? {} : { slots: options.slots }),
    })
  } catch (err) {
    if (!(err instanceof DeployNotVerifiedError)) throw err
    await record({
      type: 'deploy.refused',
      data: {
        environment: options.production.name,
        tag,
        commit: candidate.commit,
        contentHash: candidate.contentHash,
        verifiedContentHash: verified.contentHash,
        reason: err.message,
      },
    })
    if (stoppedBy === DEPLOY_VERIFICATION) {
      say(`production refused ${candidate.contentHash.slice(0, 12)}: not the artifact staging verified`)
      return { refused: true }
    }
    throw err
  }
  if (stoppedBy === DEPLOY_VERIFICATION)
    throw new Error(
      `the scenario expects production's deploy verification to refuse what tag ${tag} names, but production deployed ${candidate.contentHash.slice(0, 12)}: check change.stoppedBy in ${loaded.file}`,
    )
  say(
    options.slots === undefined
      ? `production rolled to ${candidate.contentHash.slice(0, 12)}, dark`
      : `production slot(s) ${options.slots.join(', ')} rolled to ${candidate.contentHash.slice(0, 12)}, ${options.idle ? 'idle: no traffic yet' : 'live'}`,
  )
  return { refused: false }
}
