import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GateRedError } from '../../gate/gate-errors.ts'
import { mergeWhenGreen } from '../../gate/merge/merge-when-green.ts'
import { runGate } from '../../gate/runner/run-gate.ts'
import { commitPatch, createSandboxRepo, type SandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import type { RunningShop, ShopOptions } from '../../services/shop/shop-options.ts'
import type { NewJournalEvent } from '../journal/journal-event.ts'
import type { LoadedScenario } from '../scenario/load-scenario.ts'

export interface DeployedShop {
  repo: SandboxRepo
  /** Trunk's head after the bad change was merged (null when the scenario has no patch). */
  commit: string | null
  shop: RunningShop
}

export interface DeployShopOptions {
  loaded: LoadedScenario
  runDir: string
  shop: ShopOptions
  /** Journals one step of the change's path. */
  record(event: NewJournalEvent): Promise<unknown>
  say(line: string): void
}

type StartShop = (options: ShopOptions) => Promise<RunningShop>

/**
 * The drill's own copy of the shop, and the bad change's path to it as real changes travel: `services/` in a
 * sandbox git repository (trunk), the scenario's change committed on a branch, the gate run on exactly that
 * commit (green: nothing tests the flagged path yet), merged to trunk only on a green, signed gate record, and
 * the shop started from trunk's files.
 */
export async function deployShop(options: DeployShopOptions): Promise<DeployedShop> {
  const { loaded, record, say } = options
  const repo = await createSandboxRepo(join(options.runDir, 'sandbox'))
  let commit: string | null = null
  const patch = loaded.scenario.change.patch
  if (patch !== undefined) {
    const branch = `change/${loaded.scenario.change.flag.replace(/[^A-Za-z0-9._-]/g, '-')}`
    const title = loaded.scenario.change.title
    const head = await commitPatch(repo, join(loaded.dir, patch), branch, `feat: ${title}`)
    await record({ type: 'change.committed', data: { branch, commit: head, title } })
    say(`change committed on ${branch} (${head.slice(0, 12)}); running the gate`)
    const env = { ...process.env, REDIS_URL: options.shop.redisUrl }
    const { result } = await runGate({ repo: repo.dir, ref: branch, env })
    await record({
      type: 'gate.finished',
      data: {
        commit: result.commit,
        tree: result.tree,
        green: result.green,
        durationMs: result.durationMs,
        steps: result.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs })),
      },
    })
    say(`gate ${result.green ? 'green' : 'RED'} in ${(result.durationMs / 1000).toFixed(1)} s`)
    if (!result.green)
      throw new GateRedError(
        result.commit,
        result.steps.filter((s) => s.status !== 'passed').map((s) => s.name),
      )
    const merged = await mergeWhenGreen({ repo: repo.dir, branch, env })
    commit = merged.mergeCommit
    await record({
      type: 'change.merged',
      data: { branch, commit: merged.branchHead, trunk: merged.mergeCommit },
    })
  }
  const entry = pathToFileURL(join(repo.dir, 'services', 'shop', 'start-shop.ts')).href
  const { startShop } = (await import(entry)) as { startShop: StartShop }
  const shop = await startShop(options.shop)
  return { repo, commit, shop }
}
