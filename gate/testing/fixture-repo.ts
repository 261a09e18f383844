import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { git } from '../sandbox/git.ts'
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

/**
 * A small git repository for gate tests: the given files and gate file committed on `main`, with the
 * project's node_modules linked in (so typescript and vitest are there) and ignored.
 */
export async function createFixtureRepo(
  files: Record<string, string>,
  gateFile: string,
): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-gate-fixture-'))
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  await writeFiles(dir, {
    '.gitignore': 'node_modules\n',
    'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
    'firedrill-gate.yaml': gateFile,
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

/**
 * The process environment for a test's gate runs: `FIREDRILL_GATE_KEY` left out, so records are signed with the
 * repository's own key whatever the developer's shell holds; `extra` on top.
 */
export function gateTestEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete env.FIREDRILL_GATE_KEY
  return env
}
