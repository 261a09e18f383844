/**
 * The action item ids named by the values of a commit's `Refs:` trailers, as git joins them with commas
 * (`Refs: AI-1, AI-2` and a second `Refs: AI-3` give `AI-1, AI-2,AI-3`). Anything that is not an `AI-n` id
 * (a ticket URL, an issue number) is left out; each id appears once, in the order given.
 */
export function refsTrailerIds(values: string): string[] {
  const ids = values
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter((v) => /^AI-\d+$/.test(v))
  return [...new Set(ids)]
}
