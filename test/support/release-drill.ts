import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { readJournal } from '../../record/journal/read-journal.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { runDrill } from '../../simulator/drill/run-drill.ts'
import { quickScenario } from './quick-scenario.ts'
import { testRedisUrl } from './redis-sandbox.ts'

/**
 * A catalog scenario, quick (`quickScenario` with `overrides`), run in a folder of its own under `work` with the
 * test Redis: its outcome and journal, and the time of a journal event in epoch ms.
 */
export async function catalogDrill(
  work: string,
  scenario: string,
  overrides: Record<string, unknown> = {},
  extra: Partial<Parameters<typeof runDrill>[0]> = {},
) {
  const loaded = await loadScenario(await quickScenario(overrides, scenario))
  const outDir = await mkdtemp(join(work, 'run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir, ...extra })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events, at: (e: { at: string }) => Date.parse(e.at) }
}

/**
 * The unflagged-change drill, quick, released as `release` says (a strategy and its steps). These drills are about
 * the release, so the loop after it (three gate runs, which `drill-unflagged-change.test.ts` closes) is not run.
 */
export function unflaggedReleaseDrill(work: string, release: Record<string, unknown>) {
  return catalogDrill(work, 'unflagged-change', { release }, { followUp: false })
}
