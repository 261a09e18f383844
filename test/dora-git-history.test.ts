import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changesFromGit, trunkProblem } from '../record/dora/changes-from-git.ts'
import { DoraErrorCode } from '../record/dora/dora-errors.ts'
import type { DoraChange, DoraEvents } from '../record/dora/dora-events.ts'
import { doraMetrics } from '../record/dora/dora-metrics.ts'
import { mergeChanges } from '../record/dora/merge-changes.ts'
import { readRunDora } from '../record/dora/run-dora.ts'
import { withTrunkHistory } from '../record/dora/with-trunk-history.ts'
import { git } from '../record/git/git.ts'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import { doraCommand } from '../scripts/commands/dora-command.ts'
import { runCliInProcess as cli } from './support/run-cli.ts'

const MIN = 60_000
const T0 = Date.UTC(2026, 0, 1, 10)
const iso = (minutes: number) => new Date(T0 + minutes * MIN).toISOString()

/** Commits `file` on the current branch with author and committer dates `minutes` after T0; its sha. */
async function commitAt(repo: string, file: string, minutes: number, extra: string[] = []): Promise<string> {
  const env = { GIT_AUTHOR_DATE: iso(minutes), GIT_COMMITTER_DATE: iso(minutes) }
  if (extra.length === 0) {
    await writeFile(join(repo, file), `${file} ${minutes}\n`)
    await git(repo, ['add', file])
    await git(repo, ['commit', '-q', '-m', file], env)
  } else await git(repo, extra, env)
  return git(repo, ['rev-parse', 'HEAD'])
}

let work: string
let repo: string
/** main: A (0 min), B (60), merge M of branch feature's C (90) at 120, D (180). */
const sha = { A: '', B: '', C: '', M: '', D: '' }

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-dora-git-'))
  repo = join(work, 'repo')
  await mkdir(repo)
  await git(repo, ['init', '-q', '-b', 'main'])
  sha.A = await commitAt(repo, 'a', 0)
  sha.B = await commitAt(repo, 'b', 60)
  await git(repo, ['checkout', '-q', '-b', 'feature'])
  sha.C = await commitAt(repo, 'c', 90)
  await git(repo, ['checkout', '-q', 'main'])
  sha.M = await commitAt(repo, '', 120, ['merge', '-q', '--no-ff', '-m', 'merge feature', 'feature'])
  sha.D = await commitAt(repo, 'd', 180)
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** An imported events file: deployments of B and M that list no changes, and one of D that lists D. */
function importedEvents(): DoraEvents {
  return {
    changes: [{ change_id: sha.D, time_created: iso(170), source: 'ci' }],
    deployments: [
      {
        deploy_id: 'd2',
        environment: 'production',
        time_created: iso(150),
        changes: [],
        commit: sha.M,
        result: 'success',
      },
      {
        deploy_id: 'd1',
        environment: 'production',
        time_created: iso(70),
        changes: [],
        commit: sha.B,
        result: 'success',
      },
      {
        deploy_id: 'd3',
        environment: 'production',
        time_created: iso(210),
        changes: [sha.D],
        commit: sha.D,
        result: 'success',
      },
    ],
    incidents: [],
  }
}

describe("changes from the trunk's git history", () => {
  it('lists every non-merge commit on trunk with its committer date', async () => {
    const changes = await changesFromGit(repo, 'main')
    expect(changes.sort((x, y) => x.time_created.localeCompare(y.time_created))).toEqual([
      { change_id: sha.A, time_created: iso(0), source: 'git' },
      { change_id: sha.B, time_created: iso(60), source: 'git' },
      { change_id: sha.C, time_created: iso(90), source: 'git' },
      { change_id: sha.D, time_created: iso(180), source: 'git' },
    ])
  })

  it('tells a repository without the branch, and a folder that is not a repository, apart', async () => {
    expect(await trunkProblem(repo, 'main')).toBeNull()
    expect(await trunkProblem(repo, 'trunk')).toBe('no-trunk')
    expect(await trunkProblem(work, 'main')).toBe('not-a-repository')
    expect(await trunkProblem(join(work, 'missing'), 'main')).toBe('not-a-repository')
  })

  it("gives a deployment with a commit and no changes the commits since the previous deployment's", async () => {
    const events = await withTrunkHistory(importedEvents(), [{ repoDir: repo, trunk: 'main' }])
    const byId = new Map(events.deployments.map((d) => [d.deploy_id, d.changes]))
    expect(byId.get('d1')).toEqual([sha.A, sha.B])
    expect(byId.get('d2')).toEqual([sha.C])
    expect(byId.get('d3')).toEqual([sha.D])
    // D is in the file at 170 and in git at 180: the earliest time wins.
    expect(events.changes.filter((c) => c.change_id === sha.D)).toEqual([
      { change_id: sha.D, time_created: iso(170), source: 'ci' },
    ])
    // Lead times: A 70, B 10, C 60, D 40 minutes; the median of four is the mean of 40 and 60.
    expect(doraMetrics(events, { now: T0 + 300 * MIN }).changeLeadTime).toEqual({
      medianMs: 50 * MIN,
      changes: 4,
    })
  })

  it('leaves a deployment whose commit no repository holds with its empty list', async () => {
    const events = importedEvents()
    events.deployments[1]!.commit = 'f'.repeat(40)
    const derived = await withTrunkHistory(events, [{ repoDir: repo, trunk: 'main' }])
    expect(derived.deployments.find((d) => d.deploy_id === 'd1')?.changes).toEqual([])
    // With d1's commit unknown, d2 is the first deployment git can place: it carries all it reaches.
    expect(derived.deployments.find((d) => d.deploy_id === 'd2')?.changes).toEqual([sha.A, sha.B, sha.C])
  })
})

describe('merging changes', () => {
  const change = fc.record({
    change_id: fc.constantFrom('a', 'b', 'c'),
    time_created: fc.integer({ min: 0, max: 1_000 }).map((m) => iso(m)),
    source: fc.constantFrom('git', 'firedrill'),
    fixes_incidents: fc.option(fc.subarray(['i1', 'i2']), { nil: undefined }),
  })
  it('keeps one change per id at its earliest time, with every incident it fixes', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change)), (lists) => {
        const all = lists.flat().map((c): DoraChange => {
          const { fixes_incidents, ...rest } = c
          return fixes_incidents === undefined ? rest : { ...rest, fixes_incidents }
        })
        const merged = mergeChanges(...lists.map((l) => all.splice(0, l.length)))
        const input = lists.flat()
        expect(merged.map((c) => c.change_id).sort()).toEqual(
          [...new Set(input.map((c) => c.change_id))].sort(),
        )
        for (const m of merged) {
          const same = input.filter((c) => c.change_id === m.change_id)
          expect(m.time_created).toBe(same.map((c) => c.time_created).sort()[0])
          expect([...(m.fixes_incidents ?? [])].sort()).toEqual(
            [...new Set(same.flatMap((c) => c.fixes_incidents ?? []))].sort(),
          )
        }
      }),
    )
  })
})

describe('firedrill dora with --repo', () => {
  it('adds the trunk history to an --events file and derives the deployments it lists empty', async () => {
    const file = join(work, 'events.json')
    await writeFile(file, JSON.stringify(importedEvents()))
    const { code, stdout, stderr } = await cli(['dora', '--events', file, '--repo', repo, '--json'])
    expect(code, stderr).toBe(0)
    const out = JSON.parse(stdout)
    expect(out.tables.changes).toHaveLength(4)
    expect(out.tables.deployments.map((d: { changes: string[] }) => d.changes.length)).toEqual([1, 2, 1])
    expect(out.metrics.changeLeadTime).toEqual({ medianMs: 50 * MIN, changes: 4 })
    const other = await cli(['dora', '--events', file, '--repo', repo, '--trunk', 'feature', '--json'])
    expect(JSON.parse(other.stdout).tables.changes).toHaveLength(4)
  })

  it.each([
    ['a folder that is not a repository', () => ['--repo', work]],
    ['a branch the repository lacks', () => ['--repo', repo, '--trunk', 'trunk']],
  ])('exits 2 on %s', async (_, args) => {
    const file = join(work, 'empty.json')
    await writeFile(file, JSON.stringify({ changes: [], deployments: [], incidents: [] }))
    await expect(doraCommand.run(['--events', file, ...args()])).rejects.toMatchObject({
      code: DoraErrorCode.REPO_INVALID,
      exitCode: 2,
    })
    const { code, stderr } = await cli(['dora', '--events', file, ...args()])
    expect(code).toBe(2)
    expect(stderr).toContain('--repo')
  })

  it.each([
    ['--trunk without --repo', () => ['--trunk', 'main']],
    ['--repo with --compare', () => ['--compare', 'a', 'b', '--repo', repo]],
  ])('refuses %s as a usage mistake', async (_, args) => {
    await expect(doraCommand.run(['--runs', work, ...args()])).rejects.toMatchObject({
      code: 'FIREDRILL_USAGE',
      exitCode: 2,
    })
  })

  it("adds each run's sandbox trunk, so a run's deployment carries the commits it deployed", async () => {
    const run = join(work, 'runs', 'r1')
    await mkdir(run, { recursive: true })
    await git(work, ['clone', '-q', repo, join(run, 'sandbox')])
    const j = new JournalBuilder(T0)
    j.started('r1')
    j.at(200 * MIN).add('change.deployed', { commit: sha.D, dark: true, environment: 'production' })
    await writeFile(
      join(run, 'journal.jsonl'),
      j
        .build()
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    )
    const measured = await readRunDora(run)
    expect(measured.events.deployments[0]?.changes).toEqual([sha.A, sha.B, sha.C, sha.D])
    expect(measured.metrics.changeLeadTime).toEqual({ medianMs: 125 * MIN, changes: 4 })
    const { stdout } = await cli(['dora', '--runs', join(work, 'runs'), '--json'])
    expect(JSON.parse(stdout).tables.changes).toHaveLength(4)
  })
})
