import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSandboxRepo } from './sandbox-repo.ts'

const root = await mkdtemp(join(tmpdir(), 'firedrill-sandbox-repo-'))
afterAll(() => rm(root, { recursive: true, force: true }))

describe("the drill's service repository", () => {
  it('holds only test support files whose imports it holds too, however indirect', async () => {
    const repo = await createSandboxRepo(join(root, 'repo'))
    const support = join(repo.dir, 'test', 'support')
    const copied = await readdir(support)
    expect(copied).toContain('redis-sandbox.ts')
    // run-cli.ts reaches into the command line; a support file that imports it must be left out with it.
    expect(copied).not.toContain('run-cli.ts')
    expect(copied).not.toContain('served-shop.ts')
    for (const name of copied) {
      const text = await readFile(join(support, name), 'utf8')
      for (const [, spec] of text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g))
        expect(existsSync(resolve(dirname(join(support, name)), spec!)), `${name} imports ${spec}`).toBe(true)
    }
  })
})
