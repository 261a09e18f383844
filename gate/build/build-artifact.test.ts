import { access, chmod, constants, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { git } from '../../record/git/git.ts'
import { GateErrorCode } from '../gate-errors.ts'
import { createSandboxRepo, type SandboxRepo } from '../sandbox/sandbox-repo.ts'
import { MANIFEST_FILE } from './artifact.ts'
import { removeArtifacts } from './artifact-permissions.ts'
import { buildArtifact, openArtifact } from './build-artifact.ts'
import { contentHash } from './content-hash.ts'
import { verifyArtifact } from './verify-artifact.ts'

let root: string
let repo: SandboxRepo
let trunkHead: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'firedrill-build-'))
  repo = await createSandboxRepo(join(root, 'repo'))
  trunkHead = await git(repo.dir, ['rev-parse', 'HEAD'])
})

afterAll(async () => {
  await removeArtifacts(root)
})

describe('build once', () => {
  it('exports the commit under its full sha with a manifest that verifies', async () => {
    const store = join(root, 'store-export')
    const artifact = await buildArtifact({ repo, commit: 'main', store })
    expect(artifact.commit).toBe(trunkHead)
    expect(artifact.dir).toBe(join(store, trunkHead))
    expect(artifact.tree).toBe(await git(repo.dir, ['rev-parse', 'HEAD^{tree}']))
    const tracked = (await git(repo.dir, ['ls-files'])).split('\n').sort()
    expect(artifact.manifest.files.map((f) => f.path)).toEqual(tracked)
    expect(artifact.contentHash).toBe(contentHash(artifact.manifest.files))
    const onDisk = JSON.parse(await readFile(join(artifact.dir, MANIFEST_FILE), 'utf8'))
    expect(onDisk.contentHash).toBe(artifact.contentHash)
    expect(await verifyArtifact(artifact.dir)).toEqual({
      ok: true,
      contentHash: artifact.contentHash,
      problems: [],
    })
  })

  it('returns the same artifact when built again, without rewriting it', async () => {
    const store = join(root, 'store-again')
    const first = await buildArtifact({
      repo,
      commit: trunkHead,
      store,
      now: () => new Date('2030-01-01T00:00:00Z'),
    })
    const second = await buildArtifact({
      repo,
      commit: 'HEAD',
      store,
      now: () => new Date('2031-01-01T00:00:00Z'),
    })
    expect(second.dir).toBe(first.dir)
    expect(second.manifest.builtAt).toBe('2030-01-01T00:00:00.000Z')
    expect(second.contentHash).toBe(first.contentHash)
  })

  it('two builds of the same commit at once leave one artifact', async () => {
    const store = join(root, 'store-race')
    const [a, b] = await Promise.all([
      buildArtifact({ repo, commit: trunkHead, store }),
      buildArtifact({ repo, commit: trunkHead, store }),
    ])
    expect(a.dir).toBe(b.dir)
    expect(a.contentHash).toBe(b.contentHash)
    expect((await verifyArtifact(a.dir)).ok).toBe(true)
  })

  it('has read-only files, and directories only their owner may write, so rm -rf removes it', async () => {
    const artifact = await buildArtifact({ repo, commit: trunkHead, store: join(root, 'store-ro') })
    expect((await stat(join(artifact.dir, 'package.json'))).mode & 0o222).toBe(0)
    for (const path of [artifact.dir, join(artifact.dir, 'services')]) {
      expect((await stat(path)).mode & 0o222).toBe(0o200)
    }
    // root writes through any mode bits; everyone else is refused
    if (process.getuid?.() !== 0)
      await expect(writeFile(join(artifact.dir, 'package.json'), '{}')).rejects.toThrow()
  })

  it('links the repository dependencies, outside the hash', async () => {
    const artifact = await buildArtifact({ repo, commit: trunkHead, store: join(root, 'store-modules') })
    await access(join(artifact.dir, 'node_modules', 'fastify', 'package.json'), constants.R_OK)
    expect(artifact.manifest.files.some((f) => f.path.startsWith('node_modules'))).toBe(false)
  })

  it('names a different hash for a different commit', async () => {
    const store = join(root, 'store-two')
    const before = await buildArtifact({ repo, commit: trunkHead, store })
    await git(repo.dir, ['checkout', '-q', '-b', 'readme', trunkHead])
    await writeFile(join(repo.dir, 'README.md'), 'the shop\n')
    await git(repo.dir, ['add', 'README.md'])
    await git(repo.dir, ['commit', '-q', '-m', 'docs: readme'])
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    const after = await buildArtifact({ repo, commit: 'readme', store })
    expect(after.commit).not.toBe(before.commit)
    expect(after.contentHash).not.toBe(before.contentHash)
  })

  it('refuses a name git cannot resolve', async () => {
    await expect(
      buildArtifact({ repo, commit: 'no-such-branch', store: join(root, 'store-bad') }),
    ).rejects.toMatchObject({
      code: GateErrorCode.ARTIFACT_BUILD_FAILED,
    })
  })
})

describe('artifact verification', () => {
  it('detects an edited file, and building that commit again refuses the tampered artifact', async () => {
    const store = join(root, 'store-tamper')
    const artifact = await buildArtifact({ repo, commit: trunkHead, store })
    const file = join(artifact.dir, 'services', 'shop', 'start-shop.ts')
    await chmod(file, 0o644)
    await writeFile(file, `${await readFile(file, 'utf8')}\n// edited after the build\n`)
    const verification = await verifyArtifact(artifact.dir)
    expect(verification.ok).toBe(false)
    expect(verification.contentHash).not.toBe(artifact.contentHash)
    expect(verification.problems).toEqual([
      'services/shop/start-shop.ts: edited',
      'contentHash differs from the manifest',
    ])
    await expect(buildArtifact({ repo, commit: trunkHead, store })).rejects.toMatchObject({
      code: GateErrorCode.ARTIFACT_CORRUPT,
    })
    await expect(openArtifact(artifact.dir)).rejects.toMatchObject({ code: GateErrorCode.ARTIFACT_CORRUPT })
  })

  it('names a file added after the build and a file removed', async () => {
    const artifact = await buildArtifact({ repo, commit: trunkHead, store: join(root, 'store-add-remove') })
    await chmod(artifact.dir, 0o755)
    await writeFile(join(artifact.dir, 'backdoor.ts'), 'export {}\n')
    await rm(join(artifact.dir, 'package.json'))
    const verification = await verifyArtifact(artifact.dir)
    expect(verification.ok).toBe(false)
    expect(verification.problems).toEqual([
      'backdoor.ts: not in the manifest',
      'package.json: missing',
      'contentHash differs from the manifest',
    ])
  })

  it('reports a missing manifest', async () => {
    const verification = await verifyArtifact(join(root, 'nowhere'))
    expect(verification.ok).toBe(false)
    expect(verification.problems).toHaveLength(1)
  })
})
