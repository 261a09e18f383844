/**
 * One point of the SLI series: cumulative request counts summed over every target, since the first scrape,
 * with counter resets already folded in (like Prometheus `increase()`), so `b.total - a.total` is the number of
 * requests between two points and never negative.
 */
export interface SliSample {
  t: number
  total: number
  bad: number
}

/** Where an evaluator reads the series from; the scraper is one. */
export interface SliSeriesSource {
  series(): readonly SliSample[]
}
