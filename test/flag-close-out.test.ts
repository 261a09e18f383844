import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  commitPatch,
  createSandboxRepo,
  mergeToTrunk,
  type SandboxRepo,
} from '../gate/sandbox/sandbox-repo.ts'
import { systemClock } from '../record/clock/clock.ts'
import { git } from '../record/git/git.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { JournalWriter } from '../record/journal/journal-writer.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import type { FlagsDocument } from '../services/flags/flag-definition.ts'
import { FlagsErrorCode } from '../services/flags/flags-errors.ts'
import { findCodeReferences } from '../services/flags/lifecycle/index.ts'
import { closeOutFlag } from '../simulator/drill/close-out-flag.ts'
import { DrillJournal } from '../simulator/drill/drill-journal.ts'
import { mintReleaseFlag } from '../simulator/drill/mint-release-flag.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const FLAG = 'checkout.new-pricing'
const FLAGS_FILE = 'services/flags/flags.json'
let parent: string
let repo: SandboxRepo
let loaded: LoadedScenario
let journals = 0

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'firedrill-close-out-'))
  loaded = await loadScenario('bad-pricing')
  // Trunk as a recovered drill leaves it: the release flag dated today, the bad change and its fix merged.
  repo = await createSandboxRepo(join(parent, 'shop'))
  await mintReleaseFlag(repo, FLAG, Date.now())
  for (const [branch, patch] of [
    ['change', loaded.files['change.patch']],
    ['fix', loaded.files['followUp.fix']],
  ] as const) {
    await commitPatch(repo, patch!, branch, `${branch}: ${FLAG}`)
    await mergeToTrunk(repo, branch)
  }
}, 60_000)

afterAll(async () => {
  await rm(parent, { recursive: true, force: true })
})

async function journal(): Promise<DrillJournal> {
  journals += 1
  return new DrillJournal(
    await JournalWriter.create(join(parent, `journal-${journals}.jsonl`), { clock: systemClock }),
  )
}

const trunkFlags = async () =>
  JSON.parse(await git(repo.dir, ['show', `${repo.trunk}:${FLAGS_FILE}`])) as FlagsDocument

describe('the release flag close-out', () => {
  it('refuses to archive while code still names the flag, and leaves trunk as it was', async () => {
    const keepsTheFlag = join(parent, 'keeps-the-flag.patch')
    await writeFile(
      keepsTheFlag,
      [
        'diff --git a/services/close-out-note.ts b/services/close-out-note.ts',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/services/close-out-note.ts',
        '@@ -0,0 +1 @@',
        "+export const note = 'this cleanup removes nothing'",
        '',
      ].join('\n'),
    )
    const trunkBefore = await git(repo.dir, ['rev-parse', repo.trunk])
    const drill = await journal()
    const attempt = closeOutFlag({
      loaded: { ...loaded, files: { ...loaded.files, 'followUp.cleanup': keepsTheFlag } },
      repo,
      journal: drill,
      redisUrl: testRedisUrl(),
      say: () => {},
      clock: systemClock,
    })
    await expect(attempt).rejects.toMatchObject({ code: FlagsErrorCode.FLAG_STILL_REFERENCED })
    expect(await git(repo.dir, ['rev-parse', repo.trunk])).toBe(trunkBefore)
    expect(await git(repo.dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe(repo.trunk)
    expect((await trunkFlags()).flags[FLAG]?.metadata.lifecycle).toBe('active')
    expect(eventsOf(drill.events, 'flag.lifecycle').map((e) => e.data.to)).toEqual(['completed'])
    expect(drill.has('cleanup.merged')).toBe(false)
    await drill.close()
  }, 30_000)

  it('completes the flag, removes its code path through the gate, and archives it on trunk', async () => {
    const drill = await journal()
    const said: string[] = []
    const merged = await closeOutFlag({
      loaded,
      repo,
      journal: drill,
      redisUrl: testRedisUrl(),
      say: (line) => said.push(line),
      clock: systemClock,
    })
    await drill.close()

    expect(merged, said.join('\n')).toBe(true)
    const lifecycle = eventsOf(drill.events, 'flag.lifecycle')
    expect(lifecycle.map((e) => [e.data.from, e.data.to])).toEqual([
      ['active', 'completed'],
      ['completed', 'archived'],
    ])
    const [gate] = eventsOf(drill.events, 'gate.finished')
    expect(gate?.data.green).toBe(true)
    expect(gate?.data.steps.find((s) => s.name === 'flag-debt')?.status).toBe('passed')
    const [cleanup] = eventsOf(drill.events, 'cleanup.merged')
    // Nothing else is in this journal (the change never reached users, so no detect or mitigate item): the
    // postmortem's retire-the-flag item is its second, after the fix.
    expect(cleanup?.data).toMatchObject({ flag: FLAG, commit: lifecycle[1]?.data.commit, actionItem: 'AI-2' })

    // Trunk: the flag archived, no source file names it, and every close-out commit refers to the postmortem's
    // item and the flag's ticket.
    expect(await git(repo.dir, ['rev-parse', repo.trunk])).toBe(cleanup?.data.trunk)
    const flag = (await trunkFlags()).flags[FLAG]
    expect(flag?.metadata.lifecycle).toBe('archived')
    await git(repo.dir, ['checkout', '-q', repo.trunk])
    expect((await findCodeReferences(repo.dir, [FLAG], { exclude: [FLAGS_FILE] })).get(FLAG)).toEqual([])
    const routes = await readFile(join(repo.dir, 'services/api/orders/order-routes.ts'), 'utf8')
    expect(routes).not.toContain('ApiFlags.newPricing')
    const messages = await git(repo.dir, ['log', '--format=%B%x00', `${repo.trunk}^1..${repo.trunk}^2`])
    const closeOutCommits = messages.split('\0').filter((m) => m.trim() !== '')
    expect(closeOutCommits).toHaveLength(3)
    for (const message of closeOutCommits)
      expect(message).toContain(`Refs: AI-2, ${flag?.metadata.removalTicket}`)
  }, 120_000)
})
