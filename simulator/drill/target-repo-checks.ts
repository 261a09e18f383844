import { access, mkdtemp, realpath, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GATE_FILE_NAME } from '../../gate/config/gate-file-schema.ts'
import { resolveTrunk } from '../../gate/config/resolve-trunk.ts'
import { loadGateSigner, SIGNING_KEY_ENV } from '../../gate/ledger/gate-signer.ts'
import { signerKeyFile } from '../../gate/ledger/signer-key-file.ts'
import { loadTrustedKeys, TRUSTED_KEYS_FILE } from '../../gate/ledger/trusted-keys.ts'
import { readGateFileAt } from '../../gate/runner/run-gate.ts'
import { git } from '../../record/git/git.ts'
import type { LoadedTarget, TargetRepo } from '../../record/target/load-target.ts'
import type { TargetCheck } from '../target/target-check.ts'
import { TargetRepoNotReadyError } from '../target/target-errors.ts'

/** The team's repository as the loop works on it, once every check holds. */
export interface ReadyRepo {
  /** The repository's top. */
  top: string
  trunk: string
  /** Trunk's head when checked: the loop's clone starts here. */
  trunkCommit: string
  /** The commit `repo.change` names, when it names one. */
  change?: string
}

export interface RepoInspection {
  checks: TargetCheck[]
  /** Present when every check holds. */
  ready?: ReadyRepo
}

/** Thrown inside a check: its message is the check's detail, naming the field and the fix. */
class NotReady extends Error {}

/**
 * Checks the repository a target names (`repo`) for the loop, changing nothing: the top of a git repository,
 * its tracked files as committed, a trunk, trunk's gate file (`firedrill-gate.yaml`, parsed), trunk trusting
 * this machine's gate signer (`firedrill-gate.pub`), the change on trunk, and a fix that applies to trunk. The
 * checks run in that order and stop at the first that fails (the next ones build on it); each failure names the
 * field and what to do.
 */
export async function inspectTargetRepo(
  repo: TargetRepo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RepoInspection> {
  const checks: TargetCheck[] = []
  const step = async <T>(name: string, probe: () => Promise<{ detail: string; value: T }>) => {
    try {
      const { detail, value } = await probe()
      checks.push({ name, ok: true, detail })
      return value
    } catch (err) {
      if (!(err instanceof NotReady)) throw err
      checks.push({ name, ok: false, detail: err.message })
      return undefined
    }
  }
  const { dir } = repo
  try {
    const top = await step('repository', async () => {
      const real = await realpath(dir).catch(() => {
        throw new NotReady(`${dir} (repo.path) does not exist: point repo.path at the service's repository`)
      })
      const found = await git(real, ['rev-parse', '--show-toplevel']).catch(() => '')
      if (found === '' || (await realpath(found)) !== real)
        throw new NotReady(
          `${dir} (repo.path) is not the top of a git repository${found === '' ? '' : ` (it lies inside ${found})`}: point repo.path at the folder holding the service's .git`,
        )
      return { detail: real, value: real }
    })
    if (top === undefined) return { checks }

    const clean = await step('repository work tree clean', async () => {
      // Staged or not, against HEAD; untracked files are not the loop's business (it clones what is committed).
      const dirty = (await git(top, ['diff', '--name-only', 'HEAD', '--']))
        .split('\n')
        .filter((l) => l !== '')
      if (dirty.length > 0)
        throw new NotReady(
          `${dir} (repo.path) has uncommitted changes to ${dirty.length} file(s) (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''}): commit or stash them; the loop works from what is committed`,
        )
      return { detail: 'no uncommitted changes to tracked files', value: true }
    })
    if (clean === undefined) return { checks }

    const trunk = await step('trunk', async () => {
      const name = await resolveTrunk(top).catch((err: Error) => {
        throw new NotReady(`${err.message.replace(/ Pass --trunk BRANCH.*$/, '')} (repo.path ${dir})`)
      })
      const commit = await git(top, ['rev-parse', '--verify', `${name}^{commit}`])
      return { detail: `${name} at ${commit.slice(0, 12)}`, value: { name, commit } }
    })
    if (trunk === undefined) return { checks }

    const gate = await step('gate file', async () => {
      if (repo.gateFile !== GATE_FILE_NAME)
        throw new NotReady(
          `repo.gateFile is "${repo.gateFile}", but the gate reads its steps from ${GATE_FILE_NAME} at the top of trunk: move the file there and drop repo.gateFile`,
        )
      const { gateFile } = await readGateFileAt(top, trunk.commit).catch((err: Error) => {
        throw new NotReady(
          `${GATE_FILE_NAME} (repo.gateFile) on ${trunk.name} in ${dir}: ${err.message.split('\n').join(' ')}`,
        )
      })
      return {
        detail: `${GATE_FILE_NAME} on ${trunk.name}: ${gateFile.steps.map((s) => s.name).join(', ')}`,
        value: gateFile,
      }
    })
    if (gate === undefined) return { checks }

    const trusted = await step('gate signer trusted', async () => {
      const how = `run \`npx firedrill gate --public-key >> ${TRUSTED_KEYS_FILE}\` in ${dir} and commit it on ${trunk.name}`
      if (env[SIGNING_KEY_ENV] === undefined) {
        const file = signerKeyFile(env)
        if ((await stat(file).catch(() => null)) === null)
          throw new NotReady(
            `this machine has no gate signing key yet (${file}) for the gate records of ${dir} (repo.path): ${how} (it makes one)`,
          )
      }
      const signer = await loadGateSigner(env, top)
      const trust = await loadTrustedKeys(top, trunk.name)
      if (!trust.keys.has(signer.keyid))
        throw new NotReady(
          `${TRUSTED_KEYS_FILE} on ${trunk.name} in ${dir} (repo.path) ${trust.present ? 'does not list' : 'is missing, so it cannot list'} this machine's gate signer ${signer.keyid.slice(0, 16)}: ${how}`,
        )
      return { detail: `${signer.keyid.slice(0, 16)} in ${TRUSTED_KEYS_FILE} on ${trunk.name}`, value: true }
    })
    if (trusted === undefined) return { checks }

    const change = await step('change', async () => {
      if (repo.change === undefined)
        return {
          detail: 'not named (repo.change): the fix is gated, but the bad change cannot be replayed',
          value: null,
        }
      const commit = await git(top, ['rev-parse', '--verify', '--quiet', `${repo.change}^{commit}`]).catch(
        () => {
          throw new NotReady(
            `repo.change "${repo.change}" names no commit in ${dir}: name the commit that shipped the change behind the flag`,
          )
        },
      )
      const onTrunk = await git(top, ['merge-base', '--is-ancestor', commit, trunk.commit]).then(
        () => true,
        () => false,
      )
      if (!onTrunk)
        throw new NotReady(
          `repo.change "${repo.change}" (${commit.slice(0, 12)}) is not on ${trunk.name}: name the commit that shipped the change`,
        )
      return { detail: `${commit.slice(0, 12)} on ${trunk.name}`, value: commit }
    })
    if (change === undefined) return { checks }

    const fix = await step('fix', async () => fixCheck(top, repo, trunk))
    if (fix === undefined) return { checks }

    return {
      checks,
      ready: {
        top,
        trunk: trunk.name,
        trunkCommit: trunk.commit,
        ...(change === null ? {} : { change }),
      },
    }
  } catch (err) {
    // A failure of git itself (not installed, a corrupt repository): the check that hit it says so.
    checks.push({ name: 'repository', ok: false, detail: `${dir} (repo.path): ${(err as Error).message}` })
    return { checks }
  }
}

async function fixCheck(
  top: string,
  repo: TargetRepo,
  trunk: { name: string; commit: string },
): Promise<{ detail: string; value: true }> {
  const fix = repo.fix
  if (fix === undefined) return { detail: 'not named (repo.fix): the loop will not run', value: true }
  if ('branch' in fix) {
    const head = await git(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${fix.branch}`]).catch(
      () => {
        throw new NotReady(
          `repo.fix.branch "${fix.branch}" is not a branch of ${repo.dir}: push or create it`,
        )
      },
    )
    const ahead = Number(await git(top, ['rev-list', '--count', `${trunk.commit}..${head}`]))
    if (ahead === 0)
      throw new NotReady(
        `repo.fix.branch "${fix.branch}" has no commits over ${trunk.name}: commit the fix on it`,
      )
    return { detail: `branch ${fix.branch}, ${ahead} commit(s) over ${trunk.name}`, value: true }
  }
  await access(fix.patch).catch(() => {
    throw new NotReady(
      `repo.fix.patch ${fix.patch} cannot be read: give a patch file, relative to the target file`,
    )
  })
  // Applied to trunk in a private index: the team's work tree and index stay as they are.
  const scratch = await mkdtemp(join(tmpdir(), 'firedrill-fix-check-'))
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') }
    await git(top, ['read-tree', trunk.commit], env)
    await git(top, ['apply', '--cached', '--check', fix.patch], env).catch((err: Error) => {
      throw new NotReady(
        `repo.fix.patch ${fix.patch} does not apply to ${trunk.name}: ${err.message.split('\n')[0]}; make it with git diff against ${trunk.name}`,
      )
    })
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  return { detail: `${fix.patch} applies to ${trunk.name}`, value: true }
}

/** The repository's checks as preflight lines (none when the target names no repository). */
export async function targetRepoChecks(
  loaded: LoadedTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TargetCheck[]> {
  return loaded.repo === undefined ? [] : (await inspectTargetRepo(loaded.repo, env)).checks
}

/**
 * Refuses a drill whose target names a repository the loop cannot use (`TargetRepoNotReadyError`, exit 2),
 * before anything changes; returns the repository as checked (undefined when the target names none).
 */
export async function requireTargetRepo(
  loaded: LoadedTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReadyRepo | undefined> {
  if (loaded.repo === undefined) return undefined
  const { checks, ready } = await inspectTargetRepo(loaded.repo, env)
  if (ready === undefined)
    throw new TargetRepoNotReadyError(
      loaded.file,
      checks.filter((c) => !c.ok).map((c) => ({ name: c.name, message: c.detail })),
    )
  return ready
}
