import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleDrillJournal } from '../../record/journal/sample-drill-journal.ts'
import { type LoadedScenario, loadScenario } from '../../record/scenario/load-scenario.ts'
import { loadRoster, type Roster } from '../../record/scenario/team-roster.ts'
import { buildPostmortem } from '../build-postmortem.ts'
import { PostmortemErrorCode } from '../errors.ts'
import { type Postmortem, PostmortemSchema } from '../postmortem-schema.ts'
import { writePostmortem } from '../write-postmortem.ts'
import { BLAME_PHRASES, findBlameWording } from './blame-wording.ts'
import { lintPostmortem } from './lint-postmortem.ts'
import { lintPostmortemFile } from './lint-postmortem-file.ts'

const NOW = Date.UTC(2026, 0, 2, 9)

let loaded: LoadedScenario
let roster: Roster
const work = mkdtempSync(join(tmpdir(), 'firedrill-lint-'))
beforeAll(async () => {
  loaded = await loadScenario('bad-pricing')
  roster = await loadRoster(loaded)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A fresh, clean postmortem as plain JSON, to spoil one field at a time. */
function sample(options: Parameters<typeof sampleDrillJournal>[0] = {}): Postmortem {
  const pm = buildPostmortem(sampleDrillJournal(options), loaded.scenario, roster, { now: NOW })
  return JSON.parse(JSON.stringify(pm)) as Postmortem
}

const paths = (model: unknown) => lintPostmortem(model).problems.map((p) => p.path)

describe('postmortem lint', () => {
  it('passes a clean postmortem with its change path and repair evidence', () => {
    expect(lintPostmortem(sample({ withChangePath: true, withRepair: true }))).toEqual({
      ok: true,
      problems: [],
    })
  })

  it('catches an action item without an owner, naming its path', () => {
    const pm = sample() as unknown as { actionItems: Record<string, unknown>[] }
    delete pm.actionItems[1]!.owner
    const result = lintPostmortem(pm)
    expect(result.ok).toBe(false)
    expect(result.problems).toEqual([{ path: 'actionItems[1].owner', message: expect.any(String) }])
  })

  it('catches a blank owner as well as a missing one', () => {
    const pm = sample()
    pm.actionItems[0]!.owner = '  '
    expect(paths(pm)).toEqual(['actionItems[0].owner'])
  })

  it('catches a missing due date and one that is not a calendar day', () => {
    const pm = sample() as unknown as { actionItems: Record<string, unknown>[] }
    delete pm.actionItems[0]!.dueDate
    pm.actionItems[2]!.dueDate = '2026-02-30'
    expect(paths(pm)).toEqual(['actionItems[0].dueDate', 'actionItems[2].dueDate'])
  })

  it('catches an item without a type', () => {
    const pm = sample() as unknown as { actionItems: Record<string, unknown>[] }
    delete pm.actionItems[1]!.type
    expect(paths(pm)).toEqual(['actionItems[1].type'])
  })

  it('asks for at least one prevent item', () => {
    const pm = sample()
    for (const item of pm.actionItems) if (item.type === 'prevent') item.type = 'process'
    expect(lintPostmortem(pm).problems).toEqual([
      { path: 'actionItems', message: expect.stringContaining('prevent') },
    ])
  })

  it('flags blame wording with the field path and the phrase', () => {
    const pm = sample()
    pm.summary += ' The outage was the Fault of the release manager.'
    pm.lessons.wentWrong[1] = 'Nikita forgot to run the coupon tests.'
    pm.actionItems[0]!.title = 'Stop human error in pricing reviews'
    const problems = lintPostmortem(pm).problems
    expect(problems.map((p) => p.path)).toEqual(['summary', 'actionItems[0].title', 'lessons.wentWrong[1]'])
    expect(problems[0]?.message).toContain('"Fault of"')
    expect(problems[1]?.message).toContain('"human error"')
    expect(problems[2]?.message).toContain('"Nikita forgot"')
  })

  it('takes more roster names to watch from its options', () => {
    const pm = sample()
    pm.resolution = 'Rowan forgot the runbook.'
    expect(paths(pm)).toEqual([])
    expect(lintPostmortem(pm, { names: ['Rowan'] }).problems.map((p) => p.path)).toEqual(['resolution'])
  })

  it('reports a missing or empty section by name, and nothing twice', () => {
    const pm = sample() as unknown as Record<string, unknown> & { lessons: Record<string, unknown> }
    delete pm.trigger
    pm.detection = ''
    pm.lessons.gotLucky = []
    pm.timeline = []
    expect(paths(pm)).toEqual(['trigger', 'detection', 'lessons.gotLucky', 'timeline'])
  })

  it('checks the JSON schema shape, for fields the other checks do not cover', () => {
    const pm = sample() as unknown as Record<string, unknown>
    pm.schemaVersion = 1
    pm.extra = true
    expect(paths(pm).sort()).toEqual(['extra', 'schemaVersion'])
  })

  it('answers anything that is not an object with a problem, never a throw', () => {
    for (const model of [null, 42, 'postmortem', [], undefined]) expect(lintPostmortem(model).ok).toBe(false)
  })
})

describe('blame wording', () => {
  it('finds every listed phrase inside any surrounding sentence, in any case', () => {
    const words = fc.array(fc.constantFrom('the', 'gate', 'release', 'flag', 'checkout', 'on', 'path'), {
      maxLength: 6,
    })
    fc.assert(
      fc.property(
        words,
        fc.constantFrom(...BLAME_PHRASES),
        words,
        fc.boolean(),
        (before, phrase, after, upper) => {
          const text = [...before, upper ? phrase.toUpperCase() : phrase, ...after].join(' ')
          expect(findBlameWording(text).length).toBeGreaterThan(0)
        },
      ),
    )
  })

  it('leaves blameless wording and words that merely contain a phrase alone', () => {
    expect(
      findBlameWording('A blameless review; the flag was not forgotten; carelessness-free gate.'),
    ).toEqual(['carelessness'])
    expect(findBlameWording('The blameless postmortem lists what the system did.')).toEqual([])
    expect(findBlameWording('Nikitas forgotten task', ['Nikita'])).toEqual([])
  })
})

describe('postmortem of a crashed run', () => {
  it('fits the schema and passes the lint when the journal stops after the release', () => {
    const pm = sample({ crashAtMs: 22_000 })
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(lintPostmortem(pm).ok).toBe(true)
  })

  it('fits the schema but fails the lint on "what went well" when the journal stops before the release', () => {
    const pm = sample({ crashAtMs: 3_000 })
    expect(Value.Check(PostmortemSchema, pm)).toBe(true)
    expect(lintPostmortem(pm).problems).toEqual([{ path: 'lessons.wentWell', message: 'section is empty' }])
  })
})

describe('postmortem lint on files', () => {
  it('reads postmortem.json, or the postmortem.json beside a postmortem.md', async () => {
    const dir = join(work, 'run-1')
    await writePostmortem(dir, sample())
    const viaMd = await lintPostmortemFile(join(dir, 'postmortem.md'))
    expect(viaMd).toEqual({ file: join(dir, 'postmortem.json'), ok: true, problems: [] })
    expect((await lintPostmortemFile(join(dir, 'postmortem.json'))).ok).toBe(true)
  })

  it('refuses a missing file and one that is not JSON with FIREDRILL_POSTMORTEM_UNREADABLE', async () => {
    await expect(lintPostmortemFile(join(work, 'nowhere', 'postmortem.md'))).rejects.toMatchObject({
      code: PostmortemErrorCode.POSTMORTEM_UNREADABLE,
      exitCode: 2,
    })
    const bad = join(work, 'bad.json')
    writeFileSync(bad, '{ not json')
    await expect(lintPostmortemFile(bad)).rejects.toMatchObject({
      code: PostmortemErrorCode.POSTMORTEM_UNREADABLE,
    })
  })
})
