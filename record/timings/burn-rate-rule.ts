/**
 * One multiwindow burn-rate rule (SRE workbook, chapter "Alerting on SLOs"): it fires when the error budget
 * burns faster than `burnRate` over BOTH the long and the short window. The workbook's paging pair is
 * 14.4× over 1h/5m and 6× over 6h/30m; windows here are already scaled by the drill's time scale.
 */
export interface BurnRateRule {
  name: string
  severity: string
  longWindowMs: number
  shortWindowMs: number
  burnRate: number
}

/** The workbook's two paging rules, with every window divided by `timeScale` (e.g. 240: 1h becomes 15 s). */
export function workbookPageRules(timeScale: number): BurnRateRule[] {
  const hour = 3_600_000 / timeScale
  return [
    { name: 'fast-burn', severity: 'page', longWindowMs: hour, shortWindowMs: hour / 12, burnRate: 14.4 },
    { name: 'slow-burn', severity: 'page', longWindowMs: 6 * hour, shortWindowMs: hour / 2, burnRate: 6 },
  ]
}
