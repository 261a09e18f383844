import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPostmortem } from '../postmortems/build-postmortem.ts'
import { lintPostmortemFile } from '../postmortems/lint/lint-postmortem-file.ts'
import { PostmortemSchema } from '../postmortems/postmortem-schema.ts'
import { renderPostmortemMarkdown } from '../postmortems/render-postmortem-markdown.ts'
import type { JournalEvent } from '../record/journal/journal-event.ts'
import { type LoadedScenario, loadScenario } from '../record/scenario/load-scenario.ts'
import { SCENARIO_CATALOG_DIR } from '../record/scenario/scenario-catalog.ts'
import { loadRoster, type Roster } from '../record/scenario/team-roster.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { drillJournal } from './support/drill-journals.ts'

const START = Date.UTC(2026, 0, 1, 12)
const NOW = Date.UTC(2026, 0, 2, 9)
const FIRST = '20260101T120000-bad-pricing-aaaaaa'
const AGAIN = '20260101T130000-bad-pricing-bbbbbb'

/**
 * A drill (the change deployed, an incident from 20 s to 25 s, recovered), or its `--again` run repeating the
 * drill in `againOf` (the gate refuses the change, production starts on the drill's trunk, no incident).
 */
const journal = (runId: string, againOf?: { runId: string; dir: string }) =>
  drillJournal(runId, {
    start: START + (againOf === undefined ? 0 : 3_600_000),
    started: { seed: 42, flag: 'new-pricing', ...(againOf === undefined ? {} : { againOf }) },
    ...(againOf === undefined ? {} : { refused: { deploys: `${againOf.runId}-trunk` } }),
  })

let work: string
let loaded: LoadedScenario
let roster: Roster
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-postmortem-dora-'))
  loaded = await loadScenario('bad-pricing')
  roster = await loadRoster(loaded)
})
afterAll(() => rm(work, { recursive: true, force: true }))

/** A run directory as the drill leaves it: the journal, and the scenario copied into `scenario/`. */
async function runDir(name: string, events: readonly JournalEvent[]): Promise<string> {
  const dir = join(work, name)
  await mkdir(dir, { recursive: true })
  await cp(join(SCENARIO_CATALOG_DIR, 'bad-pricing'), join(dir, 'scenario'), { recursive: true })
  await writeFile(join(dir, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''))
  return dir
}

const section = (markdown: string) => markdown.slice(markdown.indexOf('## DORA before and after'))
const row = (markdown: string, metric: string) =>
  section(markdown)
    .split('\n')
    .find((l) => l.startsWith(`| ${metric} |`))

describe('DORA before and after in the postmortem', () => {
  it('shows the repeated run as before (failed, recovered in the incident’s 5 s) and the --again run as after', async () => {
    const first = await runDir(FIRST, journal(FIRST))
    const again = await runDir(AGAIN, journal(AGAIN, { runId: FIRST, dir: first }))
    const { postmortem } = await reportRun(again, { now: NOW })
    expect(Value.Check(PostmortemSchema, postmortem)).toBe(true)
    expect(postmortem.schemaVersion).toBe(3)
    const { before, after, missing, thisRun } = postmortem.dora
    expect(missing).toBeNull()
    expect(thisRun).toBe('after')
    expect(before).toMatchObject({ runId: FIRST, dir: first })
    expect(before?.metrics.changeFailureRate).toEqual({ rate: 1, failedDeployments: 1, deployments: 1 })
    expect(before?.metrics.failedDeploymentRecoveryTime).toEqual({ medianMs: 5_000, incidents: 1 })
    expect(after).toMatchObject({ runId: AGAIN, dir: again })
    // After: production started on the drill's trunk, and nothing failed.
    expect(after?.metrics.changeFailureRate).toEqual({ rate: 0, failedDeployments: 0, deployments: 1 })
    expect(after?.metrics.failedDeploymentRecoveryTime).toEqual({ medianMs: null, incidents: 0 })

    const markdown = await readFile(join(again, 'postmortem.md'), 'utf8')
    expect(markdown.indexOf('## DORA before and after')).toBeGreaterThan(
      markdown.indexOf('## Timing breakdown'),
    )
    expect(row(markdown, 'change failure rate')).toBe(
      '| change failure rate | 100.0% — 1 of 1 production deployment linked to an incident | 0.0% — 0 of 1 production deployment linked to an incident |',
    )
    expect(row(markdown, 'failed deployment recovery time')).toMatch(
      /^\| failed deployment recovery time \| 5\.0 s — median over 1 resolved incident/,
    )
    // The hand-made journal gives no lessons to tell; everything else, the DORA section included, lints clean.
    const { problems } = await lintPostmortemFile(join(again, 'postmortem.json'))
    expect(problems.filter((p) => !p.path.startsWith('lessons.'))).toEqual([])
  })

  it('makes a first run the before, and says how to measure the after', async () => {
    const first = await runDir(`${FIRST}-alone`, journal(FIRST))
    const { postmortem } = await reportRun(first, { now: NOW })
    expect(postmortem.dora).toMatchObject({
      thisRun: 'before',
      after: null,
      missing: { reason: 'no-again-run' },
    })
    expect(postmortem.dora.before?.metrics.changeFailureRate.rate).toBe(1)
    const markdown = section(renderPostmortemMarkdown(postmortem))
    expect(markdown).toContain(`firedrill run --again ${first}`)
    expect(markdown).toContain('firedrill dora --compare RUN_A RUN_B')
    expect(row(markdown, 'change failure rate')).toMatch(
      /^\| change failure rate \| 100\.0% .* \| not measured \|$/,
    )
  })

  it('names the repeated run’s directory when it can no longer be read', async () => {
    const gone = join(work, 'deleted-run')
    const again = await runDir(`${AGAIN}-orphan`, journal(AGAIN, { runId: FIRST, dir: gone }))
    const { postmortem } = await reportRun(again, { now: NOW })
    expect(postmortem.dora).toMatchObject({
      thisRun: 'after',
      before: null,
      missing: { reason: 'unreadable', dir: gone },
    })
    expect(section(await readFile(join(again, 'postmortem.md'), 'utf8'))).toContain(`\`${gone}\``)
  })

  it('built from the journal alone, measures this run and says a repeated run was not measured', () => {
    const first = buildPostmortem(journal(FIRST), loaded.scenario, roster, { now: NOW })
    expect(first.dora).toMatchObject({
      thisRun: 'before',
      before: { runId: FIRST, dir: null },
      after: null,
      missing: { reason: 'no-again-run' },
    })
    expect(first.dora.before?.metrics.failedDeploymentRecoveryTime.medianMs).toBe(5_000)
    const again = buildPostmortem(
      journal(AGAIN, { runId: FIRST, dir: '/runs/first' }),
      loaded.scenario,
      roster,
      {
        now: NOW,
      },
    )
    expect(again.dora).toMatchObject({
      thisRun: 'after',
      before: null,
      missing: { reason: 'not-measured', dir: '/runs/first' },
    })
    expect(Value.Check(PostmortemSchema, again)).toBe(true)
  })

  it('does not send a drill on a target to --again, which refuses it', () => {
    const events = journal(FIRST).map((e) =>
      e.type === 'drill.started'
        ? { ...e, data: { ...e.data, target: { name: 'quotes', file: '/team/target.yaml' } } }
        : e,
    )
    const postmortem = buildPostmortem(events, loaded.scenario, roster, { now: NOW })
    expect(postmortem.dora).toMatchObject({ thisRun: 'before', missing: { reason: 'target-run' } })
    expect(Value.Check(PostmortemSchema, postmortem)).toBe(true)
    const markdown = section(renderPostmortemMarkdown(postmortem))
    expect(markdown).not.toContain('firedrill run --again')
    expect(markdown).toContain('firedrill dora --compare <this run dir> RUN_B')
  })
})
