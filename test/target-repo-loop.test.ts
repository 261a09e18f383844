import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { LEDGER_NOTES_REF } from '../gate/ledger/gate-ledger.ts'
import { git } from '../record/git/git.ts'
import { eventsOf, type JournalEvent } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import {
  type Cleanup,
  QUOTES_EXAMPLE_DIR,
  QUOTES_REPO_SECTION,
  quotesRepo,
  quotesTarget,
} from './support/quotes-service.ts'
import { repositoryState } from './support/repository-state.ts'
import { runCliInProcess } from './support/run-cli.ts'

const cleanup: Cleanup = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const journalOf = async (runDir: string): Promise<JournalEvent[]> =>
  (await readJournal(join(runDir, 'journal.jsonl'))).events

describe("firedrill run --target naming repo: the loop on the team's own repository", () => {
  it("merges the team's fix through its gate with Refs:, the replay of its change is blocked by unit-tests, and firedrill verify holds on the run", async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup, (text) => `${text}${QUOTES_REPO_SECTION}`)
    const repo = await quotesRepo(join(dir, 'repo'))
    const trunkBefore = await git(repo.dir, ['rev-parse', 'main'])
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const out = join(dir, 'run')

    const t0 = performance.now()
    const result = await runCliInProcess(['run', '--target', targetFile, '--out', out, '--json'])
    const wallMs = performance.now() - t0
    expect(result.code, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout) as DrillSummary
    expect(summary).toMatchObject({ status: 'recovered', loopClosed: true })

    const events = await journalOf(out)
    // The change the target names is the postmortem's bad change.
    expect(eventsOf(events, 'change.committed')[0]?.data.commit).toBe(repo.change)
    // The fix: gated green by the team's own gate, merged into the run's clone of trunk, closing AI-1.
    const merged = eventsOf(events, 'fix.merged')[0]
    expect(merged?.data).toMatchObject({ actionItem: 'AI-1', branch: 'fix/AI-1', gate: { green: true } })
    expect(merged?.data.gate.steps).toEqual([
      expect.objectContaining({ name: 'unit-tests', status: 'passed' }),
    ])
    const sandbox = join(out, 'sandbox')
    const message = await git(sandbox, ['log', '-1', '--format=%B', merged!.data.commit])
    expect(message).toMatch(/^Refs: AI-1$/m)
    expect(message).toContain("The team's fix, fix.patch.")
    await git(sandbox, ['merge-base', '--is-ancestor', merged!.data.commit, 'main'])
    // The replay of the team's change on the fixed trunk: red, stopped by the step the fix's test runs in.
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['unit-tests'],
    })
    expect(eventsOf(events, 'verify.finished')[0]?.data).toMatchObject({
      holds: true,
      loop: { holds: true, blockedBy: ['unit-tests'] },
    })
    const fixGate = eventsOf(events, 'gate.finished').find((e) => e.data.commit === merged!.data.commit)
    const finished = eventsOf(events, 'drill.finished')[0]!
    const followUp = events.find((e) => e.type === 'phase.entered' && e.data.phase === 'follow-up')!
    process.stderr.write(
      `target repo loop: drill + loop ${Math.round(wallMs)} ms wall, follow-up ${Date.parse(finished.at) - Date.parse(followUp.at)} ms, fix gate ${fixGate?.data.durationMs} ms\n`,
    )

    // The team's repository: trunk and work tree as they were; the fix on a branch of firedrill's, with its record.
    expect(await git(repo.dir, ['rev-parse', 'main'])).toBe(trunkBefore)
    expect(await git(repo.dir, ['status', '--porcelain'])).toBe('')
    const branch = `firedrill/${summary.runId}/fix/AI-1`
    expect(await git(repo.dir, ['rev-parse', branch])).toBe(merged!.data.commit)
    expect(await git(repo.dir, ['notes', '--ref', LEDGER_NOTES_REF, 'show', merged!.data.commit])).toContain(
      'payloadType',
    )
    expect(eventsOf(events, 'check.passed').map((e) => e.data.name)).toContain(
      "fix written to the team's repository",
    )

    // firedrill verify on the run's postmortem (judged on the run's clone, beside it): everything holds.
    const verify = await runCliInProcess(['verify', join(out, 'postmortem.json')])
    expect(verify.code, verify.stdout + verify.stderr).toBe(0)
    expect(verify.stdout).toMatch(/loop check: holds: .* stopped by unit-tests/)
    // The team merges the branch through its own trunk's trust, and verify holds on its repository too.
    const merge = await runCliInProcess(['merge', branch, '--repo', repo.dir])
    expect(merge.code, merge.stdout + merge.stderr).toBe(0)
    const onTeam = await runCliInProcess(['verify', join(out, 'postmortem.json'), '--repo', repo.dir])
    expect(onTeam.code, onTeam.stdout + onTeam.stderr).toBe(0)
  }, 240_000)

  it('refuses a fix its gate finds red: nothing merged, the red record journalled and written beside the branch, exit 1', async () => {
    const { dir, targetFile, faults } = await quotesTarget(cleanup, (text) => `${text}${QUOTES_REPO_SECTION}`)
    const repo = await quotesRepo(join(dir, 'repo'))
    const trunkBefore = await git(repo.dir, ['rev-parse', 'main'])
    // A "fix" that fixes nothing: its own test fails.
    await writeFile(
      join(dir, 'fix.patch'),
      [
        'diff --git a/quote-fallback.test.mjs b/quote-fallback.test.mjs',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/quote-fallback.test.mjs',
        '@@ -0,0 +1,3 @@',
        "+import { test } from 'node:test'",
        '+',
        "+test('the fallback is not written yet', () => { throw new Error('not fixed') })",
        '',
      ].join('\n'),
    )
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const out = join(dir, 'run')

    const result = await runCliInProcess(['run', '--target', targetFile, '--merge', '--out', out, '--json'])
    expect(result.code, result.stderr).toBe(1)
    expect(JSON.parse(result.stdout) as DrillSummary).toMatchObject({
      status: 'recovered',
      loopClosed: false,
    })
    const events = await journalOf(out)
    const gated = eventsOf(events, 'gate.finished')
    expect(gated.map((g) => g.data.green)).toEqual([false])
    expect(gated[0]?.data.steps).toEqual([expect.objectContaining({ name: 'unit-tests', status: 'failed' })])
    expect(eventsOf(events, 'fix.merged')).toEqual([])
    // --merge or not, a red fix never reaches trunk; its branch and red record go to the team for a look.
    expect(await git(repo.dir, ['rev-parse', 'main'])).toBe(trunkBefore)
    const fix = gated[0]!.data.commit
    expect(
      await git(repo.dir, [
        'rev-parse',
        `firedrill/${eventsOf(events, 'drill.started')[0]?.data.runId}/fix/AI-1`,
      ]),
    ).toBe(fix)
    const show = await runCliInProcess(['gate', '--show', fix, '--repo', repo.dir, '--json'])
    expect(JSON.parse(show.stdout)).toMatchObject({ valid: true, record: { green: false } })
  }, 240_000)

  it("takes the fix from the team's branch, and with --merge fast-forwards the team's trunk and its checked-out work tree to it", async () => {
    const { dir, targetFile, faults } = await quotesTarget(
      cleanup,
      (text) =>
        `${text}${QUOTES_REPO_SECTION.replace('fix: { patch: fix.patch }', 'fix: { branch: fix/fx-v2-fallback }')}`,
    )
    const repo = await quotesRepo(join(dir, 'repo'))
    // The team wrote its fix on a branch of its own, two commits over trunk, and went back to trunk.
    await git(repo.dir, ['checkout', '-q', '-b', 'fix/fx-v2-fallback'])
    await git(repo.dir, ['apply', '--index', join(QUOTES_EXAMPLE_DIR, 'fix.patch')])
    await git(repo.dir, ['commit', '-q', '-m', 'wip: fall back to the standard price'])
    await writeFile(join(repo.dir, 'NOTES.md'), 'The rates service fails: quote the standard price.\n')
    await git(repo.dir, ['add', 'NOTES.md'])
    await git(repo.dir, ['commit', '-q', '-m', 'docs: why'])
    await git(repo.dir, ['checkout', '-q', 'main'])
    const branchHead = await git(repo.dir, ['rev-parse', 'fix/fx-v2-fallback'])
    const trunkBefore = await git(repo.dir, ['rev-parse', 'main'])
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    const out = join(dir, 'run')

    const result = await runCliInProcess(['run', '--target', targetFile, '--merge', '--out', out, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const events = await journalOf(out)
    const merged = eventsOf(events, 'fix.merged')[0]!
    // Trunk is the clone's merge of the fix (a fast-forward from where it was), and the work tree follows it.
    expect(await git(repo.dir, ['rev-parse', 'main'])).toBe(merged.data.trunk)
    await git(repo.dir, ['merge-base', '--is-ancestor', trunkBefore, 'main'])
    expect(await git(repo.dir, ['status', '--porcelain'])).toBe('')
    expect(await readFile(join(repo.dir, 'quote.mjs'), 'utf8')).toContain('the quote is still priced')
    expect(await readFile(join(repo.dir, 'NOTES.md'), 'utf8')).toContain('standard price')
    // One commit for the branch's changes over trunk, with the item's trailer; the team's branch left as it was.
    const message = await git(repo.dir, ['log', '-1', '--format=%B', merged.data.commit])
    expect(message).toContain(`The team's fix, from branch fix/fx-v2-fallback at ${branchHead.slice(0, 12)}.`)
    expect(message).toMatch(/^Refs: AI-1$/m)
    expect(await git(repo.dir, ['rev-parse', 'fix/fx-v2-fallback'])).toBe(branchHead)
    const written = eventsOf(events, 'check.passed').find(
      (e) => e.data.name === "fix written to the team's repository",
    )
    expect(written?.data.evidence).toMatchObject({ trunk: 'main', merge: merged.data.trunk })
    const verify = await runCliInProcess(['verify', join(out, 'postmortem.json'), '--repo', repo.dir])
    expect(verify.code, verify.stdout + verify.stderr).toBe(0)
  }, 240_000)
})

/** The example copied with its repository beside the target file; no service runs: the refusal comes first. */
async function idleQuotesTarget(): Promise<{ dir: string; targetFile: string; repo: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-quotes-repo-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  await cp(QUOTES_EXAMPLE_DIR, dir, { recursive: true })
  const targetFile = join(dir, 'target.yaml')
  await writeFile(targetFile, `${await readFile(targetFile, 'utf8')}${QUOTES_REPO_SECTION}`)
  const { dir: repo } = await quotesRepo(join(dir, 'repo'))
  return { dir, targetFile, repo }
}

describe('firedrill run --target refuses a repository the loop cannot use, changing nothing', () => {
  it.each([
    [
      'a work tree with uncommitted changes',
      async (repo: string) => writeFile(join(repo, 'quote.mjs'), '// half-way through an edit\n'),
      'repo.path',
      'uncommitted changes to 1 file(s) (quote.mjs)',
    ],
    [
      'no gate file on trunk',
      async (repo: string) => {
        await git(repo, ['rm', '-q', 'firedrill-gate.yaml'])
        await git(repo, ['commit', '-q', '-m', 'chore: no gate'])
      },
      'repo.gateFile',
      'No gate file "firedrill-gate.yaml"',
    ],
    [
      'a trunk that does not trust this gate signer',
      async (repo: string) => {
        await git(repo, ['rm', '-q', 'firedrill-gate.pub'])
        await git(repo, ['commit', '-q', '-m', 'chore: no keys'])
      },
      'firedrill-gate.pub',
      'npx firedrill gate --public-key >> firedrill-gate.pub',
    ],
    [
      'a fix that does not apply to trunk',
      async (repo: string) => {
        await writeFile(join(repo, 'quote.mjs'), '// rewritten\n')
        await git(repo, ['commit', '-q', '-am', 'refactor: rewrite the quote'])
      },
      'repo.fix.patch',
      'does not apply to main',
    ],
  ])('exits 2 on %s, naming the target file and the field', async (_, spoil, field, words) => {
    const { dir, targetFile, repo } = await idleQuotesTarget()
    await spoil(repo)
    const before = await repositoryState(repo)
    const flags = await readFile(join(dir, 'flags.json'), 'utf8')
    const out = join(dir, 'run')

    const result = await runCliInProcess(['run', '--target', targetFile, '--out', out])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(`Target "${targetFile}" names a repository the loop cannot use`)
    expect(result.stderr).toContain(field)
    expect(result.stderr).toContain(words)
    expect(result.stderr).toContain('Nothing was changed')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    // Nothing changed: the repository, the flags file, and no run was started.
    expect(await repositoryState(repo)).toBe(before)
    expect(await readFile(join(dir, 'flags.json'), 'utf8')).toBe(flags)
    expect(existsSync(out)).toBe(false)
  })

  it('refuses --merge without a target', async () => {
    const result = await runCliInProcess(['run', '--merge'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--merge writes the fix to a target')
  })
})
