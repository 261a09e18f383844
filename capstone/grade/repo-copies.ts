import { type ThrowawayCopy, throwawayCopy } from './throwaway-copy.ts'

/**
 * Throwaway copies of the repositories grading reads, one per repository, made on first use and removed
 * together: every read of a ledger (which may make a signing key) and every forced red happens in a copy.
 */
export class RepoCopies {
  readonly #copies = new Map<string, Promise<ThrowawayCopy>>()

  /** The copy of the repository at `top`, with `ref` checked out when it was made. */
  of(top: string, ref: string): Promise<string> {
    let copy = this.#copies.get(top)
    if (copy === undefined) {
      copy = throwawayCopy(top, ref)
      this.#copies.set(top, copy)
    }
    return copy.then((c) => c.dir)
  }

  async removeAll(): Promise<void> {
    const copies = [...this.#copies.values()]
    this.#copies.clear()
    for (const copy of copies) await (await copy.catch(() => null))?.remove()
  }
}
