import type { PromSample } from './parse-prometheus-text.ts'

/** One label condition, as PromQL writes it: `=` equals, `=~` matches a fully anchored regular expression. */
export interface LabelMatcher {
  label: string
  op: '=' | '=~'
  value: string
}

/** A metric name and label conditions: `http_requests_total{method="POST",status_code=~"5.."}`. */
export interface SeriesSelector {
  metric: string
  matchers: readonly LabelMatcher[]
}

const compiled = new WeakMap<LabelMatcher, RegExp>()

function regexOf(matcher: LabelMatcher): RegExp {
  let re = compiled.get(matcher)
  if (re === undefined) {
    // PromQL anchors `=~` at both ends.
    re = new RegExp(`^(?:${matcher.value})$`)
    compiled.set(matcher, re)
  }
  return re
}

/** Whether one scraped sample is in the selector's series (a missing label is the empty string, as in PromQL). */
export function matchesSelector(sample: PromSample, selector: SeriesSelector): boolean {
  if (sample.name !== selector.metric) return false
  for (const matcher of selector.matchers) {
    const value = sample.labels[matcher.label] ?? ''
    if (matcher.op === '=' ? value !== matcher.value : !regexOf(matcher).test(value)) return false
  }
  return true
}

/** The selector in PromQL, with `extra` matchers added: `metric{a="b",c=~"d"}`. */
export function formatSelector(selector: SeriesSelector, extra: readonly LabelMatcher[] = []): string {
  const matchers = [...selector.matchers, ...extra]
  if (matchers.length === 0) return selector.metric
  const quoted = matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`)
  return `${selector.metric}{${quoted.join(',')}}`
}

/** A stable key for one series of one scrape: its name and labels, sorted. */
export function seriesKey(sample: PromSample): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(sample.labels[name])}`)
  return `${sample.name}{${labels.join(',')}}`
}
