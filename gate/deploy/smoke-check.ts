import type { CheckOutcome } from './check-outcome.ts'

/** Does the environment, reached through its api instances, do its job end to end? */
export type SmokeCheck = (urls: readonly string[]) => Promise<CheckOutcome>

export interface OrderSmokeCheckOptions {
  /** How long each request may take. @defaultValue 5000 */
  timeoutMs?: number
  /** Who the smoke orders are placed for, so they can be told apart from traffic. @defaultValue 'smoke-check' */
  customerId?: string
}

/**
 * Places one real order through each api instance (`POST /orders` → 201) and reads it back through the next
 * one (`GET /orders/:id` → 200 with the same id), so every instance writes and every instance reads the
 * shared store. The orders are real: a running worker fulfils them like any other.
 */
export function orderSmokeCheck(options: OrderSmokeCheckOptions = {}): SmokeCheck {
  const timeoutMs = options.timeoutMs ?? 5000
  const customerId = options.customerId ?? 'smoke-check'
  return async (urls) => {
    if (urls.length === 0) return { ok: false, detail: 'no api instance is running' }
    for (const [i, url] of urls.entries()) {
      const created = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId,
          items: [{ sku: 'smoke-check', qty: 1, unitPriceCents: 100 }],
          currency: 'EUR',
        }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const body = await created.text()
      if (created.status !== 201)
        return { ok: false, detail: `POST ${url}/orders answered ${created.status} ${body.slice(0, 200)}` }
      const { orderId } = JSON.parse(body) as { orderId: string }
      const reader = urls[(i + 1) % urls.length] as string
      const read = await fetch(`${reader}/orders/${encodeURIComponent(orderId)}`, {
        signal: AbortSignal.timeout(timeoutMs),
      })
      const view = await read.text()
      if (read.status !== 200 || (JSON.parse(view) as { orderId?: string }).orderId !== orderId)
        return {
          ok: false,
          detail: `GET ${reader}/orders/${orderId} answered ${read.status} ${view.slice(0, 200)}`,
        }
    }
    return { ok: true, detail: `${urls.length} order(s) placed and read back` }
  }
}
