/**
 * Resolves with what `probe` finds, asking every 100 ms; fails after `timeoutMs` naming what it waited for. A
 * probe that throws counts as nothing found yet (a busy machine may keep a server from answering one probe).
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe().catch(() => undefined)
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
