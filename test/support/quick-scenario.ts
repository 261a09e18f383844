import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { SCENARIO_CATALOG_DIR } from '../../record/scenario/scenario-catalog.ts'

/**
 * A catalog scenario (bad-pricing unless named) with time compressed four times harder (1h = 3.75 s) and shorter
 * holds, so a whole drill runs in the suite in a few seconds. `overrides` are merged into the YAML (one level
 * deep per key).
 */
export async function quickScenario(
  overrides: Record<string, unknown> = {},
  scenario = 'bad-pricing',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-scenario-'))
  await cp(join(SCENARIO_CATALOG_DIR, scenario), dir, { recursive: true })
  const file = join(dir, 'scenario.yaml')
  const doc = parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>
  const quick: Record<string, Record<string, unknown>> = {
    timeScale: (1 / 960) as unknown as Record<string, unknown>,
    traffic: { ratePerSecond: 80 },
    // A starved machine sends fewer requests than the rate asks for: the hypothesis needs a few, not all of them.
    steadyState: { durationSeconds: 2, minRequests: 20 },
    release: {
      steps: [
        { percent: 25, holdSeconds: 1 },
        { percent: 100, holdSeconds: 8 },
      ],
    },
    detection: { scrapeIntervalMs: 100, evaluationIntervalMs: 100 },
    // Long enough after the page for the scenario's decoys (made at once, below) to be in the audit log it reads.
    responder: { kind: 'bot', ackDelaySeconds: 1 },
    recovery: { consecutiveEvaluations: 3 },
    // Generous: on a busy machine detection and response come later and burn more budget. The stop conditions
    // have tests of their own, which set them tight.
    stopConditions: { maxErrorBudgetConsumedPct: 100, maxDurationSeconds: 300 },
  }
  const decoys = (doc.decoys ?? []) as unknown as Array<Record<string, unknown>>
  quick.decoys = decoys.map((d) => ({ ...d, seconds: 0 })) as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries({ ...quick, ...overrides })) {
    doc[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ...(doc[key] ?? {}), ...(value as Record<string, unknown>) }
        : (value as Record<string, unknown>)
  }
  await writeFile(file, stringify(doc))
  return dir
}
