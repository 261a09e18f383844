import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { readJournal } from '../../record/journal/read-journal.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { runDrill } from '../../simulator/drill/run-drill.ts'
import { quickScenario } from './quick-scenario.ts'
import { testRedisUrl } from './redis-sandbox.ts'

/**
 * The unflagged-change drill, quick, released as `release` says (a strategy and its steps), in a run folder under
 * `work`: its outcome and journal, and the time of a journal event in epoch ms.
 */
export async function unflaggedReleaseDrill(work: string, release: Record<string, unknown>) {
  const loaded = await loadScenario(await quickScenario({ release }, 'unflagged-change'))
  const outDir = await mkdtemp(join(work, 'run-'))
  const outcome = await runDrill({ loaded, redisUrl: testRedisUrl(), outDir })
  const { events } = await readJournal(outcome.journal)
  return { outcome, events, at: (e: { at: string }) => Date.parse(e.at) }
}
