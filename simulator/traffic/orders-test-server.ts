import Fastify, { type FastifyInstance } from 'fastify'
import type { OrderRequest } from './order-request.ts'

export interface OrdersTestServerOptions {
  /** How long each answer takes. @defaultValue 0 */
  delayMs?: number
  /** Answer 500 to orders that carry a coupon, as the drill's bad change does. @defaultValue false */
  failCoupons?: boolean
}

export interface ReceivedOrder {
  at: number
  requestId: string
  body: OrderRequest
}

export interface OrdersTestServer {
  url: string
  received: ReceivedOrder[]
  close(): Promise<void>
}

/** A tiny real `POST /orders` on 127.0.0.1 and a free port, for the traffic generator's tests. */
export async function startOrdersTestServer(
  options: OrdersTestServerOptions = {},
): Promise<OrdersTestServer> {
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true })
  const received: ReceivedOrder[] = []
  app.post<{ Body: OrderRequest }>('/orders', async (request, reply) => {
    received.push({ at: Date.now(), requestId: String(request.headers['x-request-id']), body: request.body })
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
    if (options.failCoupons && request.body.couponCode !== undefined)
      return reply.code(500).send({ error: 'coupon' })
    return reply.code(201).send({ orderId: `ord_${received.length}`, totalCents: 0, status: 'accepted' })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, received, close: () => app.close() }
}
