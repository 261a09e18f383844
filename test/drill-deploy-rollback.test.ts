import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
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
