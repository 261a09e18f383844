import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { flagsMarkdown, flagsOf } from '../postmortems/flag-close-out.ts'
import { PostmortemSchema } from '../postmortems/postmortem-schema.ts'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { SCENARIO_CATALOG_DIR } from '../record/scenario/scenario-catalog.ts'
import { reportRun } from '../simulator/drill/report-run.ts'

const FLAG = 'checkout.new-pricing'
const START = Date.UTC(2026, 10, 23, 12)
const GATE = { green: true, steps: [{ name: 'flag-debt', status: 'passed', durationMs: 40 }] }

/** A recovered drill's follow-up: `upTo` says how far the close-out got. */
function journal(upTo: 'nothing' | 'completed' | 'merged'): JournalEvent[] {
  const j = new JournalBuilder(START)
  j.started('run-1', { seed: 42, flag: FLAG })
  const lifecycle = (atMs: number, from: string, to: string, commit: string) =>
    j.at(atMs).add('flag.lifecycle', { key: FLAG, from, to, branch: `cleanup/${FLAG}`, commit })
  if (upTo !== 'nothing') lifecycle(10_000, 'active', 'completed', 'c1'.repeat(20))
  if (upTo === 'merged') {
    lifecycle(11_000, 'completed', 'archived', 'c3'.repeat(20))
    j.at(20_000).add('cleanup.merged', {
      branch: `cleanup/${FLAG}`,
      commit: 'c3'.repeat(20),
      trunk: 'ab'.repeat(20),
      flag: FLAG,
      gate: GATE,
    })
  }
  j.at(30_000).add('drill.finished', { outcome: 'recovered', durationMs: 30_000 })
  return j.build()
}

describe("the postmortem's flags section", () => {
  it('calls the flag closed out only once the cleanup merged, with each stage and its commit', () => {
    const flags = flagsOf(journal('merged'), FLAG, null)
    expect(flags.closeOut.status).toBe('closed-out')
    expect(flags.closeOut.stages.map((s) => [s.to, s.commit.slice(0, 2)])).toEqual([
      ['completed', 'c1'],
      ['archived', 'c3'],
    ])
    expect(flags.closeOut.cleanup).toMatchObject({
      trunk: 'ab'.repeat(20),
      at: new Date(START + 20_000).toISOString(),
    })
    const text = flagsMarkdown(flags)
    expect(text).toContain(`\`${FLAG}\` is closed out`)
    expect(text).toContain('| archived | `c3c3c3c3c3c3` |')
    expect(text).toContain('The flag inventory was not read')
  })

  it('says the flag is still debt when its close-out did not reach trunk, and when it never started', () => {
    const branchOnly = flagsOf(journal('completed'), FLAG, null)
    expect(branchOnly.closeOut).toMatchObject({ status: 'not-merged', cleanup: null })
    expect(flagsMarkdown(branchOnly)).toContain('stays active on trunk and is still flag debt')
    expect(flagsOf(journal('nothing'), FLAG, null).closeOut).toEqual({
      status: 'not-attempted',
      stages: [],
      cleanup: null,
    })
  })
})

describe('a rebuilt report', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-pm-flags-'))
    await cp(join(SCENARIO_CATALOG_DIR, 'bad-pricing'), join(dir, 'scenario'), { recursive: true })
    const lines = journal('merged').map((e) => JSON.stringify(e))
    await writeFile(join(dir, 'journal.jsonl'), `${lines.join('\n')}\n`)
    // The run's trunk as the close-out left it: the release flag archived, but one source file still names it.
    const flagsDir = join(dir, 'sandbox', 'services', 'flags')
    await mkdir(flagsDir, { recursive: true })
    const meta = { owner: 'team-checkout', removalTicket: 'SHOP-101' }
    await writeFile(
      join(flagsDir, 'flags.json'),
      JSON.stringify({
        flags: {
          [FLAG]: {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'off',
            metadata: {
              ...meta,
              type: 'release',
              lifecycle: 'archived',
              createdAt: '2026-11-03',
              expiresAt: '2026-12-13',
            },
          },
          'checkout.accepting-orders': {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'on',
            metadata: { owner: 'team-checkout', type: 'kill-switch', lifecycle: 'active' },
          },
        },
      }),
    )
    await writeFile(join(dir, 'sandbox', 'services', 'left-behind.ts'), `export const key = '${FLAG}'\n`)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("lists the trunk's flags with their debt, judged at the journal's last event", async () => {
    const { postmortem, summary } = await reportRun(dir, { now: Date.UTC(2027, 5, 1) })
    expect(Value.Check(PostmortemSchema, postmortem)).toBe(true)
    expect(summary.flagClosedOut).toBe(true)
    expect(postmortem.flags.inventory?.at).toBe(new Date(START + 30_000).toISOString())
    expect(postmortem.flags.inventory?.rows.map((r) => [r.key, r.lifecycle, r.ageDays, r.debt])).toEqual([
      [FLAG, 'archived', 20, ['archived-with-references']],
      ['checkout.accepting-orders', 'active', null, []],
    ])
  })
})
