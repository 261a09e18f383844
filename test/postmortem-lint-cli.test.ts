import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPostmortem } from '../postmortems/build-postmortem.ts'
import type { Postmortem } from '../postmortems/postmortem-schema.ts'
import { writePostmortem } from '../postmortems/write-postmortem.ts'
import { sampleDrillJournal } from '../record/journal/sample-drill-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { loadRoster } from '../record/scenario/team-roster.ts'
import { runCliInProcess as cli, spawnCli } from './support/run-cli.ts'

const STACK = /\n\s+at /

let work: string
let clean: Postmortem
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-pm-lint-'))
  const loaded = await loadScenario('bad-pricing')
  clean = buildPostmortem(
    sampleDrillJournal({ withChangePath: true }),
    loaded.scenario,
    await loadRoster(loaded),
    {
      now: Date.UTC(2026, 0, 2, 9),
    },
  )
})
afterAll(() => rm(work, { recursive: true, force: true }))

let dirs = 0
/** A run directory holding `model` as postmortem.json, and a postmortem.md beside it. */
async function writtenRun(model: unknown): Promise<string> {
  const dir = join(work, `run-${++dirs}`)
  await writePostmortem(dir, clean)
  await writeFile(join(dir, 'postmortem.json'), JSON.stringify(model))
  return dir
}

describe('firedrill postmortem lint', () => {
  it('exits 0 on a clean postmortem, reached through its Markdown file', async () => {
    const dir = await writtenRun(clean)
    const { code, stdout } = await spawnCli(['postmortem', 'lint', join(dir, 'postmortem.md')]).done
    expect(code).toBe(0)
    expect(stdout).toContain('no problems')
  })

  it('exits 1 and lists each problem with its path: a missing owner, a missing due date, blame wording', async () => {
    const spoiled = structuredClone(clean) as unknown as Record<string, unknown> & {
      actionItems: Record<string, unknown>[]
    }
    delete spoiled.actionItems[0]!.owner
    delete spoiled.actionItems[1]!.dueDate
    spoiled.summary = `${clean.summary} It was human error.`
    const dir = await writtenRun(spoiled)
    const { code, stdout } = await cli(['postmortem', 'lint', join(dir, 'postmortem.json')])
    expect(code).toBe(1)
    expect(stdout).toContain('3 problems')
    expect(stdout).toMatch(/^ {2}actionItems\[0\]\.owner: /m)
    expect(stdout).toMatch(/^ {2}actionItems\[1\]\.dueDate: /m)
    expect(stdout).toMatch(/^ {2}summary: blame wording "human error"/m)
  })

  it('prints the file, ok and the problems as JSON with --json', async () => {
    const spoiled = structuredClone(clean)
    for (const item of spoiled.actionItems) item.type = 'process'
    const dir = await writtenRun(spoiled)
    const { code, stdout } = await cli(['postmortem', 'lint', join(dir, 'postmortem.json'), '--json'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout)).toEqual({
      file: join(dir, 'postmortem.json'),
      ok: false,
      problems: [{ path: 'actionItems', message: expect.stringContaining('prevent') }],
    })
  })

  it('exits 2 with one clear message, never a stack trace, on a missing or non-JSON file', async () => {
    const missing = await cli(['postmortem', 'lint', join(work, 'absent', 'postmortem.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no such file')
    const notJson = join(work, 'not.json')
    await writeFile(notJson, 'postmortem')
    const bad = await spawnCli(['postmortem', 'lint', notJson]).done
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('not JSON')
    expect(bad.stderr).not.toMatch(STACK)
    expect(await readFile(notJson, 'utf8')).toBe('postmortem')
  })

  it('exits 2 on an unknown action or a missing file argument', async () => {
    expect((await cli(['postmortem', 'check', 'x.json'])).code).toBe(2)
    expect((await cli(['postmortem', 'lint'])).code).toBe(2)
  })
})
