import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Artifact } from '../../gate/build/artifact.ts'
import { removeArtifacts } from '../../gate/build/artifact-permissions.ts'
import { buildArtifact } from '../../gate/build/build-artifact.ts'
import { createSandboxRepo } from '../../gate/sandbox/sandbox-repo.ts'
import { git } from '../../record/git/git.ts'
import { commandLineOf, isRunning } from '../../test/support/process-tree.ts'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import { ProductionWorkers } from './production-workers.ts'

const sandbox = redisSandbox()
let root: string
let before: Artifact
let change: Artifact

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'firedrill-workers-'))
  const repo = await createSandboxRepo(join(root, 'repo'))
  before = await buildArtifact({ repo, commit: repo.trunk, store: join(root, 'store') })
  await writeFile(join(repo.dir, 'NOTES.md'), 'a change\n')
  await git(repo.dir, ['add', 'NOTES.md'])
  await git(repo.dir, ['commit', '-q', '-m', 'docs: notes'])
  change = await buildArtifact({ repo, commit: repo.trunk, store: join(root, 'store') })
}, 60_000)

afterAll(async () => {
  await sandbox.close()
  await removeArtifacts(root)
})

describe("production's workers", () => {
  it('a rollback asked while the workers still roll onto the change waits for that roll, then takes them back', async () => {
    const workers = new ProductionWorkers(
      { redisUrl: sandbox.url, prefix: sandbox.prefix, flagsToken: 't' },
      'sk',
    )
    try {
      await workers.roll(before)
      const [first] = workers.pids()
      // The release's roll is under way (not awaited) when the rollback is asked for.
      const forward = workers.roll(change)
      const journalled: string[] = []
      const back = await workers.rollBack(change, before, async () => journalled.push('rolled back'))
      await forward
      expect(back).toBe(true)
      expect(journalled).toEqual(['rolled back'])
      expect(workers.artifact?.contentHash).toBe(before.contentHash)
      const [now] = workers.pids()
      expect(await commandLineOf(now!)).toContain(before.dir)
      expect(await isRunning(first!)).toBe(false)
      // Workers that do not run the build rolled back from are left alone.
      expect(await workers.rollBack(change, before, async () => journalled.push('again'))).toBe(false)
      expect(journalled).toEqual(['rolled back'])
    } finally {
      await workers.close()
    }
    expect(workers.metricsUrls()).toEqual([])
  }, 60_000)
})
