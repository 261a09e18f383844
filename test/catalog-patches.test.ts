import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { git } from '../record/git/git.ts'
import { catalogNames, loadScenario } from '../record/scenario/load-scenario.ts'
import { DEPLOY_HEALTH, DEPLOY_VERIFICATION } from '../simulator/drill/promote-to-production.ts'

const work = await mkdtemp(join(tmpdir(), 'firedrill-catalog-patches-'))
afterAll(() => rm(work, { recursive: true, force: true }))

/** A change stopped at deploy time is on trunk; one stopped at the gate never is, so its fix applies without it. */
const STOPPED_AFTER_TRUNK = new Set([DEPLOY_HEALTH, DEPLOY_VERIFICATION])

describe("the catalog's patches", () => {
  it('apply to the shop as it is, in the order a drill commits them: the change, its fix, the flag close-out', async () => {
    const repo = await createSandboxRepo(join(work, 'shop'))
    const trunk = await git(repo.dir, ['rev-parse', 'HEAD'])
    const failures: string[] = []
    for (const name of catalogNames()) {
      const loaded = await loadScenario(name)
      if (loaded.scenario.service.kind !== 'builtin-shop') continue
      const stoppedBy = loaded.scenario.change.stoppedBy
      const onTrunk = stoppedBy === undefined || STOPPED_AFTER_TRUNK.has(stoppedBy)
      await git(repo.dir, ['checkout', '-q', '-B', name, trunk])
      const steps = [
        ...(onTrunk ? [['change', loaded.files['change.patch']] as const] : []),
        ['fix', loaded.files['followUp.fix']] as const,
        ['cleanup', loaded.files['followUp.cleanup']] as const,
      ]
      for (const [step, file] of steps) {
        if (file === undefined) continue
        try {
          await git(repo.dir, ['apply', '--index', file])
          await git(repo.dir, ['commit', '-q', '--no-verify', '-m', `${name}: ${step}`])
        } catch (err) {
          failures.push(`${name} ${step}: ${(err as Error).message.split('\n')[0]}`)
          break
        }
      }
    }
    expect(failures).toEqual([])
  })
})
