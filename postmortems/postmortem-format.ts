import { humanizeMs } from '../record/timings/humanize-ms.ts'

/** `0.0597` → `5.97 %`. */
export function formatRatio(ratio: number): string {
  return `${(ratio * 100).toFixed(2)} %`
}

/** `1.7134` → `1.71 %`. */
export function formatPct(pct: number): string {
  return `${pct.toFixed(2)} %`
}

/** `2026-01-01T12:00:06.000Z` → `12:00:06.000 UTC`: the drill's instants, to the millisecond. */
export function formatUtcTime(iso: string): string {
  return `${iso.slice(11, 23)} UTC`
}

/** A duration for a sentence or a table cell; `n/a` when the journal lacks it. */
export function formatMs(ms: number | null): string {
  return ms === null ? 'n/a' : humanizeMs(ms)
}
