import type { GeneratedOrder } from './order-request.ts'
import type { RequestStatus } from './request-outcome.ts'

/**
 * POSTs one order to `<base>/orders` with the global fetch (undici keeps connections alive) and reads the body
 * to its end, so the connection goes back to the pool. Never throws: failures become a status.
 * The timeout is real time, whatever clock the drill runs on: the network does not speed up.
 */
export async function sendOrder(
  base: string,
  order: GeneratedOrder,
  timeoutMs: number,
): Promise<RequestStatus> {
  try {
    const response = await fetch(ordersUrl(base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': order.requestId },
      body: JSON.stringify(order.body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    await response.arrayBuffer()
    return response.status
  } catch (err) {
    return isTimeout(err) ? 'timeout' : 'network-error'
  }
}

export function ordersUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/orders`
}

function isTimeout(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'))
  )
}
