import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSandboxRepo, PROJECT_ROOT } from '../../gate/sandbox/sandbox-repo.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../gate/steps/flag-inventory-step.ts'
import { git } from '../../record/git/git.ts'
import { loadFlagsFile } from '../../services/flags/load-flags-file.ts'
import { mintReleaseFlag } from './mint-release-flag.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-mint-flag-'))
afterAll(() => rm(work, { recursive: true, force: true }))

describe("a drill's release flag", () => {
  it("is dated from the drill's day in a commit of its own, and left alone on the day it is dated already", async () => {
    const repo = await createSandboxRepo(join(work, 'shop'), PROJECT_ROOT)
    const flag = 'payments.instant-retry'
    const { metadata } = (await loadFlagsFile(join(repo.dir, DEFAULT_GATE_FLAGS_FILE))).flags[flag]!
    const head = () => git(repo.dir, ['rev-parse', repo.trunk])

    // The day the file already dates it: nothing to commit, and no failure.
    const before = await head()
    expect(await mintReleaseFlag(repo, flag, Date.parse(`${metadata.createdAt}T12:00:00Z`))).toBeNull()
    expect(await head()).toBe(before)

    // Another day: dated from it, 40 days for a release flag.
    const commit = await mintReleaseFlag(repo, flag, Date.parse('2027-03-01T09:00:00Z'))
    expect(commit).toBe(await head())
    const dated = (await loadFlagsFile(join(repo.dir, DEFAULT_GATE_FLAGS_FILE))).flags[flag]!.metadata
    expect([dated.createdAt, dated.expiresAt]).toEqual(['2027-03-01', '2027-04-10'])
  })
})
