/** The settlement histogram's count of orders the workers accepted with their charge deferred. */
const DEFERRED =
  /^fulfilment_order_settlement_seconds_count\{[^}]*outcome="deferred"[^}]*\}\s+([0-9.eE+-]+)$/m

/**
 * How many orders the workers have deferred so far (the degrade switch at work), summed over their `/metrics`:
 * what the drill watches to see the switch take effect. A worker that does not answer counts as none.
 */
export async function deferredOrders(metricsUrls: readonly string[]): Promise<number> {
  const counts = await Promise.all(
    metricsUrls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
        const match = DEFERRED.exec(await response.text())
        return match === null ? 0 : Number(match[1])
      } catch {
        return 0
      }
    }),
  )
  return counts.reduce((sum, n) => sum + n, 0)
}
