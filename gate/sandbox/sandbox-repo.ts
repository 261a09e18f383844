import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { git } from '../../record/git/git.ts'
import { PatchDoesNotApplyError } from '../gate-errors.ts'
import { loadGateSigner } from '../ledger/gate-signer.ts'
import { TRUSTED_KEYS_FILE, trustedKeyEntry } from '../ledger/trusted-keys.ts'
import { installTrunkMergeHooks } from '../merge/trunk-merge-hook.ts'
import { SHOP_HISTORY_FILE, shopDeliveryHistory } from '../shop/delivery-history.ts'

export interface SandboxRepo {
  /** The repository's work tree. */
  dir: string
  /** The trunk branch. */
  trunk: string
}

/** The project's root (holds package.json, services/, node_modules/). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..')

/**
 * Makes a drill's own service repository: `services/` copied in as trunk's first commit, with the project's
 * dependencies linked (not reinstalled), so changes can travel as real commits on real branches, the shop's gate
 * file, and the shop's delivery history up to today (`dora/events.json`, which the gate's `cfr-governor` reads). The first
 * commit also holds `firedrill-gate.pub` with the public key of the signer `env` gives (the one the drill's
 * gate runs sign with), so trunk trusts exactly that key from the start. Its hooks refuse a merge into trunk
 * whose branch head has no green gate record (see `installTrunkMergeHooks`).
 */
export async function createSandboxRepo(
  dir: string,
  projectRoot = PROJECT_ROOT,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SandboxRepo> {
  await mkdir(dir, { recursive: true })
  await cp(join(projectRoot, 'services'), join(dir, 'services'), { recursive: true })
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  await cp(join(projectRoot, 'package.json'), join(dir, 'package.json'))
  await cp(join(projectRoot, 'tsconfig.json'), join(dir, 'tsconfig.json'))
  await cp(join(projectRoot, 'gate', 'shop', 'firedrill-gate.yaml'), join(dir, 'firedrill-gate.yaml'))
  await mkdir(join(dir, dirname(SHOP_HISTORY_FILE)), { recursive: true })
  await writeFile(
    join(dir, SHOP_HISTORY_FILE),
    `${JSON.stringify(shopDeliveryHistory(Date.now()), null, 2)}\n`,
  )
  await copyTestSupport(projectRoot, dir)
  await writeFile(join(dir, '.gitignore'), 'node_modules\n')
  await writeFile(join(dir, TRUSTED_KEYS_FILE), trustedKeyEntry(await loadGateSigner(env, dir)))
  await git(dir, ['init', '-q', '-b', 'main'])
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '-m', 'chore: import the shop'])
  await installTrunkMergeHooks(dir, { trunk: 'main' })
  return { dir, trunk: 'main' }
}

/** Commits a patch on a new branch cut from trunk; returns the commit id. The work tree is left on that branch. */
export async function commitPatch(
  repo: SandboxRepo,
  patchFile: string,
  branch: string,
  message: string,
): Promise<string> {
  await git(repo.dir, ['checkout', '-q', '-b', branch, repo.trunk])
  try {
    return await commitPatchHere(repo, patchFile, message)
  } catch (err) {
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    throw err
  }
}

/**
 * Applies a patch on the branch checked out and commits it; returns the commit id. A patch that does not apply
 * is `PatchDoesNotApplyError`, with the work tree left as it was.
 */
export async function commitPatchHere(
  repo: SandboxRepo,
  patchFile: string,
  message: string,
): Promise<string> {
  try {
    await git(repo.dir, ['apply', '--index', '--whitespace=nowarn', patchFile])
  } catch (err) {
    throw new PatchDoesNotApplyError(patchFile, (err as Error).message)
  }
  await git(repo.dir, ['commit', '-q', '-m', message])
  return git(repo.dir, ['rev-parse', 'HEAD'])
}

/**
 * Merges a branch into trunk with a merge commit, past the trunk merge hook (no gate), and checks trunk out;
 * returns trunk's new head. For test fixtures only: a drill merges through `mergeWhenGreen`.
 */
export async function mergeToTrunk(repo: SandboxRepo, branch: string): Promise<string> {
  await git(repo.dir, ['checkout', '-q', repo.trunk])
  await git(repo.dir, ['merge', '-q', '--no-ff', '--no-verify', '-m', `Merge branch '${branch}'`, branch])
  return git(repo.dir, ['rev-parse', 'HEAD'])
}

/**
 * Copies the test support files the shop's own tests import (`test/support/redis-sandbox.ts` and friends),
 * leaving out those that reach into the simulator, which the sandbox does not hold, directly or through another
 * support file left out.
 */
async function copyTestSupport(projectRoot: string, dir: string): Promise<void> {
  const from = join(projectRoot, 'test', 'support')
  const to = join(dir, 'test', 'support')
  await mkdir(to, { recursive: true })
  const files = new Map<string, { text: string; imports: string[] }>()
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    const text = await readFile(join(from, entry.name), 'utf8')
    const imports = [...text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(resolve(projectRoot), resolve(from, m[1]!)),
    )
    files.set(`test/support/${entry.name}`, { text, imports })
  }
  // A file stays when every import is in services/ or is a support file that stays: drop until nothing changes.
  const kept = new Set(files.keys())
  for (let changed = true; changed; ) {
    changed = false
    for (const name of kept) {
      const staysInside = files
        .get(name)!
        .imports.every((target) => target.startsWith('services/') || kept.has(target))
      if (!staysInside) {
        kept.delete(name)
        changed = true
      }
    }
  }
  for (const name of kept) await writeFile(join(dir, name), files.get(name)!.text)
}
