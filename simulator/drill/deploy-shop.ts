import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  commitPatch,
  createSandboxRepo,
  mergeToTrunk,
  type SandboxRepo,
} from '../../gate/sandbox/sandbox-repo.ts'
import type { RunningShop, ShopOptions } from '../../services/shop/shop-options.ts'
import type { LoadedScenario } from '../scenario/load-scenario.ts'

export interface DeployedShop {
  repo: SandboxRepo
  /** Trunk's head after the bad change was merged (null when the scenario has no patch). */
  commit: string | null
  shop: RunningShop
}

type StartShop = (options: ShopOptions) => Promise<RunningShop>

/**
 * The drill's own copy of the shop: `services/` in a sandbox git repository, the scenario's bad change
 * committed on a branch and merged to trunk, and the shop started from trunk's files (so what runs is what
 * trunk holds, not the project's own copy).
 */
export async function deployShop(
  loaded: LoadedScenario,
  runDir: string,
  shopOptions: ShopOptions,
): Promise<DeployedShop> {
  const repo = await createSandboxRepo(join(runDir, 'sandbox'))
  let commit: string | null = null
  const patch = loaded.scenario.change.patch
  if (patch !== undefined) {
    const branch = `change/${loaded.scenario.change.flag.replace(/[^A-Za-z0-9._-]/g, '-')}`
    await commitPatch(repo, join(loaded.dir, patch), branch, `feat: ${loaded.scenario.change.title}`)
    commit = await mergeToTrunk(repo, branch)
  }
  const entry = pathToFileURL(join(repo.dir, 'services', 'shop', 'start-shop.ts')).href
  const { startShop } = (await import(entry)) as { startShop: StartShop }
  const shop = await startShop(shopOptions)
  return { repo, commit, shop }
}
