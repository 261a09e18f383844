import type { Artifact } from '../../gate/build/artifact.ts'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { deployArtifact } from '../../gate/deploy/deploy-artifact.ts'
import { Environment } from '../../gate/deploy/environment.ts'
import { commitPatch, type SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { buildReplayCommit } from '../../gate/verify/replay-bad-change.ts'
import { git } from '../../record/git/git.ts'
import { isFlagOff } from '../../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { type DeployPipeline, startShopFrom } from './deploy-pipeline.ts'
import { gateAndMerge } from './gate-branch.ts'
import { gateVerdict } from './gate-verdict.ts'

/**
 * The change committed on its branch (or, when its patch no longer applies to a repeated run's trunk, its earlier
 * code put back), gated and merged only when green, through `gateAndMerge`. Null when the scenario has no patch;
 * else whether the gate refused it as the scenario expects, and trunk's merge commit when it went in.
 */
export async function gateChange(
  pipeline: DeployPipeline,
  repo: SandboxRepo,
): Promise<{ refused: boolean; mergeCommit: string | null } | null> {
  const { options } = pipeline
  const { loaded, record, say } = options
  const patch = loaded.files['change.patch']
  if (patch === undefined) return null
  const { flag, title } = loaded.scenario.change
  const branch = `change/${(flag ?? title.toLowerCase()).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}`
  const putBack =
    options.baseBadCommit != null && !(await patchApplies(repo.dir, patch)) ? options.baseBadCommit : null
  const head =
    putBack === null
      ? await commitPatch(repo, patch, branch, `feat: ${title}`)
      : await commitPutBack(repo, putBack, branch, title)
  if (putBack !== null)
    say(
      `the change's patch no longer applies to trunk: its code from ${putBack.slice(0, 12)} put back instead`,
    )
  await record({ type: 'change.committed', data: { branch, commit: head, title } })
  say(`change committed on ${branch} (${head.slice(0, 12)}); running the gate`)
  const env = { ...process.env, REDIS_URL: options.shop.redisUrl }
  const result = await gateAndMerge(repo.dir, branch, env, record)
  say(`gate ${result.green ? 'green' : 'RED'} in ${(result.durationMs / 1000).toFixed(1)} s`)
  const blockedBy = result.blockedBy
  const verdict = gateVerdict({
    stoppedBy: loaded.scenario.change.stoppedBy,
    repeat: options.baseRepo !== undefined,
    gate: {
      commit: result.commit,
      green: result.green,
      blockedBy,
      failed: result.gate.steps.filter((s) => s.status !== 'passed').map((s) => s.name),
    },
    scenarioFile: loaded.file,
  })
  if (verdict === 'refused') {
    await record({ type: 'change.refused', data: { branch, commit: head, blockedBy } })
    say(`the gate refused the change (stopped by ${blockedBy.join(', ')}): production keeps trunk as it is`)
    return { refused: true, mergeCommit: null }
  }
  const merged = result.merged
  if (merged === null) return { refused: false, mergeCommit: null }
  await record({
    type: 'change.merged',
    data: { branch, commit: merged.branchHead, trunk: merged.mergeCommit },
  })
  return { refused: false, mergeCommit: merged.mergeCommit }
}

/**
 * Trunk built once into an immutable artifact, deployed to staging (its own prefix and flag service), where the
 * change must be dark too; journalled as `artifact.built` and `change.deployed` to staging.
 */
export async function stageChange(
  pipeline: DeployPipeline,
  repo: SandboxRepo,
  commit: string,
): Promise<Artifact> {
  const { options, store, closers } = pipeline
  const { record, say } = options
  const { flag } = options.loaded.scenario.change
  const artifact = await buildArtifact({ repo, commit, store })
  await record({
    type: 'artifact.built',
    data: { commit, contentHash: artifact.contentHash, files: artifact.manifest.files.length },
  })
  say(`artifact ${artifact.contentHash.slice(0, 12)} built from trunk ${commit.slice(0, 12)}`)

  // Staging: its own prefix and flag service; the change must be dark there too.
  const stagingPrefix = `${options.shop.prefix ?? 'firedrill'}-staging`
  // Production's log lines (the training console's log view) do not include staging's.
  const { onLogLine: _productionLogLines, ...stagingShopOptions } = options.shop
  const stagingShop = await startShopFrom(artifact, 'staging', {
    ...stagingShopOptions,
    prefix: stagingPrefix,
    workers: 0,
  })
  closers.push(() => stagingShop.close())
  const staging = new Environment({
    name: 'staging',
    redisUrl: options.shop.redisUrl,
    prefix: stagingPrefix,
    ports: [0],
  })
  closers.push(() => staging.close())
  await deployArtifact(staging, artifact, { onEvent: pipeline.deployEvents }).finally(pipeline.settle)
  if (flag !== undefined) {
    const stagingFlag = (
      await new FlagsHttpClient({
        baseUrl: stagingShop.flagsUrl,
        token: options.shop.flagsToken,
      }).list()
    ).flags.find((f) => f.key === flag)
    if (stagingFlag === undefined || !isFlagOff(stagingFlag)) {
      throw new Error(`staging serves ${flag} on; the change must arrive dark`)
    }
  }
  await record({
    type: 'change.deployed',
    data: { commit, dark: flag !== undefined, artifact: artifact.contentHash, environment: 'staging' },
  })
  say(`staging verified on ${artifact.contentHash.slice(0, 12)}${flag === undefined ? '' : ', flag off'}`)
  return artifact
}

/** Whether a patch applies to trunk's work tree as it is checked out (nothing is changed). */
async function patchApplies(dir: string, patch: string): Promise<boolean> {
  try {
    await git(dir, ['apply', '--check', patch])
    return true
  } catch {
    return false
  }
}

/**
 * The bad change proposed again when its patch no longer applies: trunk with every non-test file `badCommit`
 * changed put back as it had it, committed on `branch` (checked out, as `commitPatch` leaves it).
 */
async function commitPutBack(repo: SandboxRepo, badCommit: string, branch: string, title: string) {
  const trunk = await git(repo.dir, ['rev-parse', repo.trunk])
  const { commit } = await buildReplayCommit(
    repo.dir,
    trunk,
    badCommit,
    `feat: ${title}\n\nThe code of ${badCommit} put back on ${trunk}: the change's patch no longer applies to trunk.`,
  )
  await git(repo.dir, ['checkout', '-q', '-b', branch, commit])
  return commit
}
