import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { reportRun } from '../simulator/drill/report-run.ts'
import { runDrill } from '../simulator/drill/run-drill.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'

const run = promisify(execFile)
const INSTANCE = join('services', 'shop', 'start-api-instance.ts')

/** A change the gate lets through (nothing tests how an instance starts) that keeps every instance from starting. */
async function changeThatCannotStart(dir: string): Promise<void> {
  const source = await readFile(join(import.meta.dirname, '..', INSTANCE), 'utf8')
  const broken = source.replace(
    /(export async function startApiInstance\([^)]*\)[^{]*\{\n)/,
    "$1  if (options.redisUrl !== '') throw new Error('SHOP_REGION is not set')\n",
  )
  expect(broken).not.toBe(source)
  const work = await mkdtemp(join(tmpdir(), 'firedrill-patch-'))
  for (const [side, text] of [
    ['a', source],
    ['b', broken],
  ] as const) {
    await mkdir(join(work, side, 'services', 'shop'), { recursive: true })
    await writeFile(join(work, side, INSTANCE), text)
  }
  const diff = await run(
    'git',
    ['diff', '--no-index', '--no-prefix', join('a', INSTANCE), join('b', INSTANCE)],
    {
      cwd: work,
    },
  ).then(
    () => '',
    (err: { stdout: string }) => err.stdout,
  )
  await writeFile(join(dir, 'change.patch'), diff)
}

describe('a drill whose change cannot start', () => {
  it('passes the gate, fails staging, rolls back, journals it, and never releases', async () => {
    const dir = await quickScenario()
    await changeThatCannotStart(dir)
    const outDir = await mkdtemp(join(tmpdir(), 'firedrill-rollback-'))
    const outcome = await runDrill({ loaded: await loadScenario(dir), redisUrl: testRedisUrl(), outDir })
    expect(outcome.status).toBe('aborted')
    expect(outcome.abortReason).toContain('staging')

    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'gate.finished')[0]?.data.green).toBe(true)
    const steps = eventsOf(events, 'deploy.step').map((e) => `${e.data.environment}:${e.data.step}`)
    expect(steps).toContain('staging:health.failed')
    expect(steps).toContain('staging:rolled-back')
    expect(steps.at(-1)).toBe('staging:deploy.finished')
    expect(eventsOf(events, 'deploy.step').at(-1)?.data.outcome).toBe('rolled-back')
    // The pipeline stopped at staging: production never saw the change and nothing was released.
    expect(steps.some((s) => s.startsWith('production:'))).toBe(false)
    expect(eventsOf(events, 'release.step')).toEqual([])
    expect(eventsOf(events, 'drill.aborted')[0]?.data.condition).toBe('error')
  }, 60_000)
})

/**
 * Once the change's artifact is built (production already runs trunk's build before the change, and staging and
 * production's deploys take a second), edits a file of the build before the change in the artifact store: the
 * artifact production would roll back to no longer matches its manifest.
 */
async function tamperWithTheBuildBeforeTheChange(outDir: string, signal: AbortSignal): Promise<string> {
  const journal = join(outDir, 'journal.jsonl')
  while (!signal.aborted) {
    const text = await readFile(journal, 'utf8').catch(() => '')
    const built = text
      .split('\n')
      .filter((line) => line.includes('"artifact.built"'))
      .map((line) => (JSON.parse(line) as { data: { commit: string } }).data.commit)[0]
    if (built !== undefined) {
      const [base] = (await readdir(join(outDir, 'artifacts'))).filter(
        (name) => name !== 'tags' && name !== built && !name.startsWith('.'),
      )
      if (base === undefined) throw new Error('no build before the change in the store')
      const file = join(outDir, 'artifacts', base, 'services', 'api', 'build-app.ts')
      await chmod(file, 0o644)
      await writeFile(file, `${await readFile(file, 'utf8')}\n// edited in the artifact store\n`)
      return base
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the drill ended before its change was built')
}

describe('a drill whose way back is gone', () => {
  it('rehearses the rollback before the release, finds the previous build changed since it was built, and never releases', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'firedrill-unproven-'))
    const stop = new AbortController()
    const tampered = tamperWithTheBuildBeforeTheChange(outDir, stop.signal)
    const outcome = await runDrill({
      loaded: await loadScenario(await quickScenario()),
      redisUrl: testRedisUrl(),
      outDir,
    }).finally(() => stop.abort())
    const base = await tampered
    expect(outcome.status).toBe('aborted')
    expect(outcome.abortReason).toMatch(/rollback rehearsal on production api slot 0 failed going back/i)

    const { events } = await readJournal(outcome.journal)
    expect(eventsOf(events, 'rollback.proved')).toEqual([])
    expect(eventsOf(events, 'rollback.unproven')[0]?.data).toMatchObject({
      environment: 'production',
      slot: 0,
      leg: 'back',
      previous: expect.any(String),
    })
    expect(eventsOf(events, 'rollback.unproven')[0]?.data.detail).toContain('does not match its manifest')
    expect(eventsOf(events, 'artifact.built').some((e) => e.data.commit === base)).toBe(false)
    // Nothing was released: the flag never turned on.
    expect(eventsOf(events, 'release.step')).toEqual([])
    expect(eventsOf(events, 'flag.changed')).toEqual([])
    const { summary } = await reportRun(outcome.outDir)
    const markdown = await readFile(summary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('The rollback rehearsal failed going back on api slot 0')
    expect(markdown).not.toContain("Production's rollback was rehearsed before the release")
  }, 90_000)
})
