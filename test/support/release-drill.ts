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
 * Detection that leaves the race to the post-deploy watch: the page needs a burn rate of 45 (22.5 % errors over
 * its long window), above the ~18 % the change fails even with all traffic on it, so however slowly a loaded
 * machine starts the promoted instances' processes, only the watch can end the release. (The quick scenario's own
 * rules page within a second of the deploy, on windows still nearly empty of history: a race.)
 */
const WATCH_FIRST_DETECTION = {
  rules: [{ name: 'fast-burn', severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 45 }],
}

/**
 * The unflagged-change drill, quick, released as `release` says (a strategy and its steps). These drills are about
 * the release, so the loop after it (three gate runs, which `drill-unflagged-change.test.ts` closes) is not run.
 */
export function unflaggedReleaseDrill(work: string, release: Record<string, unknown>) {
  return catalogDrill(work, 'unflagged-change', { release }, { followUp: false })
}

/**
 * The unflagged-change drill released as `release` says, with detection that lets the post-deploy watch breach
 * before the page (a near miss caught at deploy time), and no loop after it.
 */
export function watchFirstDrill(work: string, release: Record<string, unknown>) {
  return catalogDrill(
    work,
    'unflagged-change',
    // The workers stay on the build before: the race between the watch and the page is the subject, and a
    // workers' roll beside the watch would only load the machine while it runs.
    { release: { workers: 'keep', ...release }, detection: WATCH_FIRST_DETECTION },
    { followUp: false },
  )
}
