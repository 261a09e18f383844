import {
  access,
  chmod,
  constants,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { git } from '../../record/git/git.ts'
import { SHOP_PROCESS_BUNDLE, startShopProcess } from '../../services/shop/process/start-shop-process.ts'
import { commandLineOf } from '../../test/support/process-tree.ts'
import { testRedisUrl } from '../../test/support/redis-sandbox.ts'
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
    const tracked = (await git(repo.dir, ['ls-files'])).split('\n')
    // What the build adds: the shop bundled, and the file it reads beside itself.
    const built = [SHOP_PROCESS_BUNDLE, '.build/flags.json']
    expect(artifact.manifest.files.map((f) => f.path)).toEqual([...tracked, ...built].sort())
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

  it('bundles the shop the same wherever it is built, and its processes start from the bundle', async () => {
    const here = await buildArtifact({ repo, commit: trunkHead, store: join(root, 'store-bundle-a') })
    const there = await buildArtifact({ repo, commit: trunkHead, store: join(root, 'elsewhere', 'b') })
    expect(there.contentHash).toBe(here.contentHash)
    const bundle = await readFile(join(here.dir, SHOP_PROCESS_BUNDLE), 'utf8')
    expect(bundle).not.toContain(root)
    // The flags service reads the flags file beside the bundle, the one this commit tracks.
    expect(await readFile(join(here.dir, '.build', 'flags.json'), 'utf8')).toBe(
      await readFile(join(here.dir, 'services', 'flags', 'flags.json'), 'utf8'),
    )
    const flags = await startShopProcess(here.dir, {
      role: 'flags',
      redisUrl: testRedisUrl(),
      prefix: `build-bundle-${process.pid}`,
      flagsToken: 'a-token',
      logLevel: 'warn',
      output: 'capture',
    })
    try {
      expect(await commandLineOf(flags.pid)).toBe(
        `${process.execPath} ${join(here.dir, SHOP_PROCESS_BUNDLE)}`,
      )
      const listed = (await (await fetch(`${flags.url}/flags`)).json()) as { flags: { key: string }[] }
      expect(listed.flags.map((f) => f.key)).toContain('payments.defer-charges')
    } finally {
      await flags.stop()
    }
  })

  it('fails, naming the file and line, when the shop does not bundle', async () => {
    await git(repo.dir, ['checkout', '-q', '-b', 'broken', trunkHead])
    await writeFile(join(repo.dir, 'services', 'api', 'broken.ts'), 'export const x = \n')
    await writeFile(
      join(repo.dir, 'services', 'shop', 'process', 'shop-process-main.ts'),
      `import '../../api/broken.ts'\n${await readFile(join(repo.dir, 'services', 'shop', 'process', 'shop-process-main.ts'), 'utf8')}`,
    )
    await git(repo.dir, ['add', '-A'])
    await git(repo.dir, ['commit', '-q', '-m', 'broken'])
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    const store = join(root, 'store-broken')
    const failed = await buildArtifact({ repo, commit: 'broken', store }).catch((err: unknown) => err)
    expect(failed).toMatchObject({ code: GateErrorCode.ARTIFACT_BUILD_FAILED })
    expect((failed as Error).message).toMatch(/bundling the shop failed: services\/api\/broken\.ts:\d+: /)
    // Nothing half built is left behind.
    expect(await readdir(store)).toEqual([])
  })

  it('refuses a commit that tracks the directory the build writes', async () => {
    await git(repo.dir, ['checkout', '-q', '-b', 'dot-build', trunkHead])
    await mkdir(join(repo.dir, '.build'))
    await writeFile(join(repo.dir, '.build', 'shop-process-main.mjs'), 'process.exit(0)\n')
    await git(repo.dir, ['add', '-A'])
    await git(repo.dir, ['commit', '-q', '-m', 'a bundle of its own'])
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    await expect(
      buildArtifact({ repo, commit: 'dot-build', store: join(root, 'store-dot') }),
    ).rejects.toThrow(/tracks "\.build" at its root, which the artifact reserves/)
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
