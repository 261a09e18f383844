import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createCapstone } from '../../capstone/init/create-capstone.ts'
import { mergeWhenGreen } from '../../gate/merge/merge-when-green.ts'
import { runGate } from '../../gate/runner/run-gate.ts'
import { createFixtureRepo, type FixtureRepo, gateTestEnv } from '../../gate/testing/fixture-repo.ts'
import { git } from '../../record/git/git.ts'
import { JournalBuilder } from '../../record/journal/journal-builder.ts'
import type { JournalEvent } from '../../record/journal/journal-event.ts'
import { deriveTimings } from '../../record/timings/derive-timings.ts'

const FLAG = 'checkout.new-pricing'
const DAY_MS = 86_400_000
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** The sandbox's gate: real unit and contract test steps (vitest), so kinds and records are the real thing. */
const GATE = `version: 1
steps:
  - name: unit-tests
    uses: unit-tests
    with:
      paths: [tests]
  - name: contract-tests
    uses: contract-tests
    with:
      paths: [contracts]
`

const passing = (name: string) =>
  `import { expect, test } from 'vitest'\n\ntest('${name}', () => {\n  expect(1).toBe(1)\n})\n`

function flagsFile(lifecycle: string): string {
  const metadata = {
    owner: 'team-checkout',
    type: 'release',
    createdAt: day(Date.now()),
    expiresAt: day(Date.now() + 40 * DAY_MS),
    removalTicket: 'SHOP-101',
    lifecycle,
  }
  const flag = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', metadata }
  return `${JSON.stringify({ flags: { [FLAG]: flag } }, null, 2)}\n`
}

/** Gates `branch` (it must go green) and merges it into main through `firedrill merge`; returns trunk's head. */
async function gateAndMerge(repo: FixtureRepo, branch: string): Promise<string> {
  await git(repo.dir, ['checkout', '-q', 'main'])
  const { result } = await runGate({ repo: repo.dir, ref: branch, env: gateTestEnv() })
  if (!result.green)
    throw new Error(`the fixture's gate went red on ${branch}: ${JSON.stringify(result.steps)}`)
  return (await mergeWhenGreen({ repo: repo.dir, branch, env: gateTestEnv() })).mergeCommit
}

export interface HandMadeCapstone {
  capstone: string
  runDir: string
  againDir: string
  sandbox: string
  fixHead: string
}

/**
 * A capstone as a student leaves it after a drill and its `--again` run, made by hand and quickly: `init`, then a
 * run whose sandbox took the bad change, the fix (adding a unit and a contract test, `Refs: AI-1`) and the flag's
 * close-out through a real gate, with the journal, summary and postmortem a drill writes; and the `--again` run
 * that repeats it, refused at the gate. The mistake log holds five rows.
 */
export async function handMadeCapstone(parent: string): Promise<HandMadeCapstone> {
  const { dir: capstone } = await createCapstone(join(parent, 'capstone'))
  const repo = await createFixtureRepo(
    {
      'services/flags/flags.json': flagsFile('active'),
      'src/pricing.ts': `export const FLAG = '${FLAG}'\nexport const price = (cents: number) => cents\n`,
      'tests/pricing.test.ts': passing('prices'),
      'contracts/api.contract.test.ts': passing('answers orders'),
    },
    GATE,
  )
  const changeHead = await repo.commit(
    {
      'src/pricing.ts': `export const FLAG = '${FLAG}'\nexport const price = (cents: number) => cents * 2\n`,
    },
    'feat: new pricing engine',
    `change/${FLAG}`,
    'main',
  )
  const changeMerge = await gateAndMerge(repo, `change/${FLAG}`)
  const fixHead = await repo.commit(
    {
      'src/pricing.ts': `export const FLAG = '${FLAG}'\nexport const price = (cents: number) => cents\n`,
      'tests/coupons.test.ts': passing('prices any coupon'),
      'contracts/coupons.contract.test.ts': passing('the api answers 201 for any coupon'),
    },
    'fix: price unknown coupons without a discount\n\nRefs: AI-1',
    'fix/AI-1',
    'main',
  )
  const fixMerge = await gateAndMerge(repo, 'fix/AI-1')
  const cleanup = `cleanup/${FLAG}`
  const completed = await repo.commit(
    { 'services/flags/flags.json': flagsFile('completed') },
    'chore(flags): completed',
    cleanup,
    'main',
  )
  await repo.commit(
    { 'src/pricing.ts': 'export const price = (cents: number) => cents\n' },
    'refactor: remove the flag path',
    cleanup,
  )
  const archived = await repo.commit(
    { 'services/flags/flags.json': flagsFile('archived') },
    'chore(flags): archived',
    cleanup,
  )
  const cleanupMerge = await gateAndMerge(repo, cleanup)

  const runs = join(capstone, '.firedrill', 'runs')
  const start = Date.now()
  const runId = `${new Date(start).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-bad-pricing-aaaaaa`
  const runDir = join(runs, runId)
  await mkdir(runDir, { recursive: true })
  const sandbox = join(runDir, 'sandbox')
  await rename(repo.dir, sandbox)

  const gate = { green: true, steps: [] }
  const j = new JournalBuilder(start)
  j.started(runId, { seed: 42, flag: FLAG })
  j.at(1_000).add('change.committed', { branch: `change/${FLAG}`, commit: changeHead, title: 'new pricing' })
  j.at(2_000).add('change.merged', { branch: `change/${FLAG}`, commit: changeHead, trunk: changeMerge })
  j.at(3_000).add('change.deployed', {
    commit: changeMerge,
    dark: true,
    artifact: 'a'.repeat(64),
    environment: 'production',
  })
  j.at(5_000).add('release.step', { flag: FLAG, step: 1, percent: 25, holdSeconds: 5 })
  j.at(20_000).add('alert.fired', {
    alert: 'fast-burn',
    severity: 'page',
    burnRates: { long: 15, short: 20 },
    threshold: 14.4,
    windows: { long: '1h', short: '5m' },
  })
  j.at(23_000).add('mitigation.applied', {
    action: 'flag off',
    flag: FLAG,
    by: 'bot',
    reason: '5xx on coupons',
  })
  j.at(25_000).add('recovery.confirmed', { errorRatio: 0, consecutiveEvaluations: 4 })
  j.at(40_000).add('drill.finished', { outcome: 'recovered', durationMs: 40_000 })
  j.at(45_000).add('fix.merged', {
    branch: 'fix/AI-1',
    commit: fixHead,
    trunk: fixMerge,
    actionItem: 'AI-1',
    gate,
  })
  j.at(50_000).add('replay.gated', {
    commit: 'f'.repeat(40),
    green: false,
    blockedBy: ['unit-tests', 'contract-tests'],
  })
  j.at(51_000).add('verify.finished', {
    holds: true,
    items: [{ id: 'AI-1', status: 'done', holds: true, reasons: [] }],
    loop: { holds: true, blockedBy: ['unit-tests', 'contract-tests'] },
  })
  j.at(52_000).add('flag.lifecycle', {
    key: FLAG,
    from: 'active',
    to: 'completed',
    branch: cleanup,
    commit: completed,
  })
  j.at(53_000).add('flag.lifecycle', {
    key: FLAG,
    from: 'completed',
    to: 'archived',
    branch: cleanup,
    commit: archived,
  })
  j.at(55_000).add('cleanup.merged', {
    branch: cleanup,
    commit: archived,
    trunk: cleanupMerge,
    flag: FLAG,
    gate,
  })
  const events = j.build()
  await writeJournal(runDir, events)
  await writeFile(
    join(runDir, 'summary.json'),
    JSON.stringify({ timings: { mttrMs: deriveTimings(events).mttrMs } }),
  )
  const item = {
    id: 'AI-1',
    title: 'Price unknown coupons without a discount, and test any coupon in the gate',
    owner: 'team-checkout',
    dueDate: day(start + 7 * DAY_MS),
    priority: 'P0',
    type: 'prevent',
    tracking: 'SHOP-201',
    status: 'done',
  }
  await writeFile(
    join(runDir, 'postmortem.json'),
    JSON.stringify({ actionItems: [item], change: { commit: changeHead } }),
  )

  const againId = runId.replace('aaaaaa', 'bbbbbb')
  const againDir = join(runs, againId)
  await mkdir(againDir)
  const b = new JournalBuilder(start + 60_000)
  b.started(againId, { seed: 42, flag: FLAG, againOf: { runId, dir: runDir } })
  b.at(1_000).add('change.deployed', {
    commit: cleanupMerge,
    dark: false,
    environment: 'production',
    changes: [fixHead, completed, archived],
  })
  b.at(2_000).add('change.committed', {
    branch: `change/${FLAG}`,
    commit: 'c'.repeat(40),
    title: 'new pricing',
  })
  b.at(3_000).add('change.refused', {
    branch: `change/${FLAG}`,
    commit: 'c'.repeat(40),
    blockedBy: ['unit-tests'],
  })
  b.at(5_000).add('release.step', { flag: FLAG, step: 1, percent: 25, holdSeconds: 5 })
  b.at(30_000).add('drill.finished', { outcome: 'prevented', durationMs: 30_000 })
  await writeJournal(againDir, b.build())

  const row = (n: number, evidence: string) =>
    `| ${day(start)} | decision ${n} | symptom ${n} | root cause ${n} | ${evidence} | card ${n} |`
  const log = [
    '# Mistake log',
    '',
    '| date | mistake | symptom | root cause | repair evidence | retrieval card |',
    '|---|---|---|---|---|---|',
    row(1, `failing test tests/coupons.test.ts in ${fixHead.slice(0, 12)}`),
    row(2, `counterexample: coupon "XX" in ${fixHead.slice(0, 12)}, a contract test`),
    row(3, `code: ${fixHead.slice(0, 10)}`),
    row(4, 'command: firedrill gate before every merge'),
    row(5, 'design: releases start at 5 %'),
    '',
  ].join('\n')
  await writeFile(join(capstone, 'MISTAKES.md'), log)
  await git(capstone, ['commit', '-q', '-am', 'docs: five mistakes logged'])
  return { capstone, runDir, againDir, sandbox, fixHead }
}

async function writeJournal(dir: string, events: JournalEvent[]): Promise<void> {
  await writeFile(join(dir, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''))
}
