import { theoreticalDetectionMs as detectionBaseline } from './theoretical-detection-ms.ts'

/**
 * The SRE workbook's detection time for a burn-rate alert at a constant error ratio, without the scrape and
 * evaluation intervals: the time the rule's windows need to cross `burnRate × (1 − objective)`, given how much
 * clean traffic they held when the fault started. Null when the ratio is too low for the rule to ever fire.
 */
export function theoreticalDetectionMs(input: {
  longWindowMs: number
  shortWindowMs?: number
  burnRate: number
  objective: number
  errorRatio: number
  cleanHistoryMs?: number
}): number | null {
  const ms = detectionBaseline({
    errorRatio: Math.min(1, Math.max(0, input.errorRatio)),
    objective: input.objective,
    rule: {
      name: 'rule',
      severity: 'page',
      longWindowMs: input.longWindowMs,
      shortWindowMs: input.shortWindowMs ?? 0,
      burnRate: input.burnRate,
    },
    scrapeIntervalMs: 0,
    evaluationIntervalMs: 0,
    ...(input.cleanHistoryMs === undefined ? {} : { cleanHistoryMs: input.cleanHistoryMs }),
  })
  return Number.isFinite(ms) ? ms : null
}
