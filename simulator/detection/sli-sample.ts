/** Requests (or orders) an SLI counted, and how many of them were bad. */
export interface SliCounts {
  total: number
  bad: number
}

/**
 * One point of an SLI series: cumulative counts summed over every target, since the first scrape, with counter
 * resets already folded in (like Prometheus `increase()`), so `b.total - a.total` is the number of events
 * between two points and never negative.
 */
export interface SliSample extends SliCounts {
  t: number
}

/** Where an evaluator reads the series from; the scraper is one. */
export interface SliSeriesSource {
  series(): readonly SliSample[]
}
