import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { lstat, mkdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { git } from '../../record/git/git.ts'
import { ArtifactBuildFailedError, ArtifactCorruptError } from '../gate-errors.ts'
import { type Artifact, type ArtifactManifest, MANIFEST_FILE } from './artifact.ts'
import { makeReadOnly, removeArtifacts } from './artifact-permissions.ts'
import { BUILD_DIR, bundleShop } from './bundle-shop.ts'
import { contentHash, hashFiles } from './content-hash.ts'
import { readManifest, verifyArtifact } from './verify-artifact.ts'

export interface BuildArtifactOptions {
  /** The repository's work tree (or a sandbox repo). Its `node_modules` is linked into the artifact. */
  repo: string | { dir: string }
  /** Any name git resolves to a commit (a sha, `main`, `HEAD~1`); the artifact is named by the full sha. */
  commit: string
  /** The directory that keeps artifacts, one `<commit>/` each. */
  store: string
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/**
 * Builds a commit once: exports its tracked files into `<store>/<commit>/`, links the repository's dependencies,
 * bundles the shop's process entry point (`bundleShop`), writes a manifest and a content hash over it all (the
 * bundle too), and makes it read-only. The export happens in a temporary directory
 * renamed into place, so a half-built artifact is never seen. When the artifact exists already and verifies,
 * it is returned as is; when it exists and does not verify, that is an `ArtifactCorruptError`.
 */
export async function buildArtifact(options: BuildArtifactOptions): Promise<Artifact> {
  const repoDir = resolve(typeof options.repo === 'string' ? options.repo : options.repo.dir)
  const store = resolve(options.store)
  let commit: string
  let tree: string
  try {
    commit = await git(repoDir, ['rev-parse', '--verify', '--end-of-options', `${options.commit}^{commit}`])
    tree = await git(repoDir, ['rev-parse', '--verify', `${commit}^{tree}`])
  } catch (err) {
    throw new ArtifactBuildFailedError(options.commit, `git cannot resolve it in ${repoDir}`, err)
  }
  const dir = join(store, commit)
  if (await exists(dir)) return existing(dir, commit)

  await mkdir(store, { recursive: true })
  const building = join(store, `.building-${commit}-${randomUUID()}`)
  const tarball = `${building}.tar`
  try {
    await mkdir(building)
    await git(repoDir, ['archive', '--format=tar', '-o', tarball, commit])
    await run('tar', ['-xf', tarball, '-C', building])
    for (const reserved of [MANIFEST_FILE, 'node_modules', BUILD_DIR]) {
      if (await exists(join(building, reserved)))
        throw new ArtifactBuildFailedError(
          commit,
          `the commit tracks "${reserved}" at its root, which the artifact reserves`,
        )
    }
    const modules = join(repoDir, 'node_modules')
    if (await exists(modules)) await symlink(await realpath(modules), join(building, 'node_modules'), 'dir')
    await bundleShop(building, exists).catch((err: unknown) => {
      throw new ArtifactBuildFailedError(commit, `bundling the shop failed: ${esbuildMessage(err)}`, err)
    })
    const files = await hashFiles(building)
    const manifest: ArtifactManifest = {
      commit,
      tree,
      builtAt: (options.now ?? (() => new Date()))().toISOString(),
      files,
      contentHash: contentHash(files),
    }
    await writeFile(join(building, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
    await makeReadOnly(building)
    try {
      await rename(building, dir)
    } catch (err) {
      // Another build of the same commit got there first: keep theirs if it verifies.
      if (!(await exists(dir))) throw err
      await removeArtifacts(building)
      return existing(dir, commit)
    }
    return { commit, tree, dir, manifest, contentHash: manifest.contentHash }
  } catch (err) {
    await removeArtifacts(building)
    if (err instanceof ArtifactBuildFailedError || err instanceof ArtifactCorruptError) throw err
    throw new ArtifactBuildFailedError(commit, (err as Error).message, err)
  } finally {
    await rm(tarball, { force: true })
  }
}

/** Opens an artifact that was built before; rejects with `ArtifactCorruptError` unless it verifies. */
export async function openArtifact(dir: string): Promise<Artifact> {
  return existing(resolve(dir))
}

async function existing(dir: string, commit?: string): Promise<Artifact> {
  const verification = await verifyArtifact(dir)
  if (!verification.ok) throw new ArtifactCorruptError(dir, verification.problems)
  const manifest = await readManifest(dir)
  if (commit !== undefined && manifest.commit !== commit)
    throw new ArtifactCorruptError(dir, [`its manifest names commit ${manifest.commit}, not ${commit}`])
  return { commit: manifest.commit, tree: manifest.tree, dir, manifest, contentHash: manifest.contentHash }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** esbuild's first error, where it was; or the error's message. */
function esbuildMessage(err: unknown): string {
  const first = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
    .errors?.[0]
  if (first === undefined) return (err as Error).message
  return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || err.message}`))
      else resolvePromise()
    })
  })
}
