/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence of numbers in [0, 1), so a
 * fault pattern's choices (which worker, how long between kills) can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A whole number drawn uniformly from [min, max] with `random`. */
export function drawBetween(random: () => number, [min, max]: readonly [number, number]): number {
  return Math.floor(min + random() * (max - min + 1))
}
