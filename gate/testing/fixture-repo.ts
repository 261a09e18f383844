import { generateKeyPairSync } from 'node:crypto'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { loadGateSigner, RETIRED_KEY_ENV, SIGNING_KEY_ENV } from '../ledger/gate-signer.ts'
import { TRUSTED_KEYS_FILE, trustedKeyEntry } from '../ledger/trusted-keys.ts'
import { PROJECT_ROOT } from '../sandbox/sandbox-repo.ts'

export interface FixtureRepo {
  dir: string
  /** Commits `files` (path → text; null deletes) on `branch` (created from `from` when new); returns the commit. */
  commit(
    files: Record<string, string | null>,
    message?: string,
    branch?: string,
    from?: string,
  ): Promise<string>
  /** Writes files into the work tree without committing them. */
  write(files: Record<string, string>): Promise<void>
  remove(): Promise<void>
}

async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, path)
    if (text === null) {
      await rm(file, { force: true })
      continue
    }
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, text)
  }
}

/** This test process's gate signing key: made once, never written to disk. */
const TEST_SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()

/**
 * The process environment for a test's gate runs: records are signed with this test process's own key
 * (FIREDRILL_GATE_SIGNING_KEY), whatever the developer's shell or key file holds; `extra` on top.
 */
export function gateTestEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env[RETIRED_KEY_ENV]
  return { ...env, [SIGNING_KEY_ENV]: TEST_SIGNING_KEY, ...extra }
}

export interface FixtureRepoOptions {
  /** Whose public key trunk's first commit trusts (none: `false`). @defaultValue gateTestEnv()'s signer */
  trust?: NodeJS.ProcessEnv | false
}

/**
 * A small git repository for gate tests: the given files, the gate file and `firedrill-gate.pub` (trusting the
 * test signer) committed on `main`, with the project's node_modules linked in (so typescript and vitest are
 * there) and ignored.
 */
export async function createFixtureRepo(
  files: Record<string, string>,
  gateFile: string,
  options: FixtureRepoOptions = {},
): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-gate-fixture-'))
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const trust = options.trust ?? gateTestEnv()
  const trusted: Record<string, string> =
    trust === false ? {} : { [TRUSTED_KEYS_FILE]: trustedKeyEntry(await loadGateSigner(trust, dir)) }
  await writeFiles(dir, {
    '.gitignore': 'node_modules\n',
    'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
    'firedrill-gate.yaml': gateFile,
    ...trusted,
    ...files,
  })
  await git(dir, ['init', '-q', '-b', 'main'])
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '-m', 'chore: fixture'])
  return {
    dir,
    async commit(more, message = 'change', branch, from) {
      if (branch !== undefined) {
        const exists = await git(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).then(
          () => true,
          () => false,
        )
        await git(dir, exists ? ['checkout', '-q', branch] : ['checkout', '-q', '-b', branch, from ?? 'HEAD'])
      }
      await writeFiles(dir, more)
      await git(dir, ['add', '-A'])
      await git(dir, ['commit', '-q', '--allow-empty', '-m', message])
      return git(dir, ['rev-parse', 'HEAD'])
    },
    write: (more) => writeFiles(dir, more),
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
