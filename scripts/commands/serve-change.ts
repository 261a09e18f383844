import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allowRemoval } from '../../gate/build/artifact-permissions.ts'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { commitPatchHere, createSandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { shopServiceOf } from '../../record/scenario/shop-service.ts'
import { UsageError } from '../cli-errors.ts'

/** The shop's code with a scenario's change committed on top, built as an artifact to serve from. */
export interface ChangedShop {
  /** Where the shop's parts start from. */
  codeRoot: string
  /** The change's flag: it ships dark, so the flag serves off until someone turns it on. */
  flag: string
  title: string
  /** Removes the build. */
  remove(): Promise<void>
}

/**
 * `firedrill serve --change NAME`: the shop as a team would run it with a change deployed dark, for a game day on
 * a service firedrill did not start (`firedrill run --target`). The catalog scenario's patch is committed on a
 * copy of the shop's code and built as an immutable artifact; nothing in the project's own tree changes. Only a
 * change that ships behind a flag can be served dark: another is a usage error (exit 2).
 */
export async function buildChangedShop(name: string): Promise<ChangedShop> {
  const loaded = await loadScenario(name)
  shopServiceOf(loaded.name, loaded.scenario)
  const { flag, title } = loaded.scenario.change
  const patch = loaded.files['change.patch']
  if (flag === undefined || patch === undefined || loaded.scenario.change.stoppedBy !== undefined)
    throw new UsageError(
      `--change ${name}: only a change that ships dark behind a flag can be served (this one ${flag === undefined ? 'has no flag' : patch === undefined ? 'has no patch' : 'never reaches production'}); try --change bad-pricing.`,
    )
  const work = await mkdtemp(join(tmpdir(), 'firedrill-serve-'))
  const remove = async () => {
    await allowRemoval(work).catch(() => {})
    await rm(work, { recursive: true, force: true })
  }
  try {
    const repo = await createSandboxRepo(join(work, 'repo'))
    const commit = await commitPatchHere(repo, patch, `feat: ${title}`)
    const artifact = await buildArtifact({ repo, commit, store: join(work, 'artifacts') })
    return { codeRoot: artifact.dir, flag, title, remove }
  } catch (err) {
    await remove()
    throw err
  }
}
