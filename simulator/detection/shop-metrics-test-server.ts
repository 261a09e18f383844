import Fastify from 'fastify'
import { Registry } from 'prom-client'
import { httpMetricsPlugin } from '../../services/platform/metrics/http-metrics-plugin.ts'

export interface ShopMetricsTestServer {
  url: string
  port: number
  /** Answers `count` orders through the real HTTP metrics plugin with this status (after `delayMs`, when given). */
  answer(status: number, count: number, route?: '/orders' | '/health', delayMs?: number): Promise<void>
  /** While on, real orders (no `status` in the body) that carry a coupon get a 500, as the drill's bad change does. */
  setCouponFault(on: boolean): void
  close(): Promise<void>
}

/**
 * A tiny real api instance for the scraper's tests: its own prom-client registry, the shop's HTTP metrics plugin,
 * `POST /orders` answering the status it is told (or 201, or 500 to coupons while the fault is on), on 127.0.0.1 (a given port, so a test can restart it there).
 */
export async function startShopMetricsTestServer(port = 0): Promise<ShopMetricsTestServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  await app.register(httpMetricsPlugin, { registry: new Registry() })
  let couponFault = false
  app.post<{ Body: { status?: number; couponCode?: string; delayMs?: number } }>(
    '/orders',
    async (request, reply) => {
      const { delayMs } = request.body
      if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (request.body.status !== undefined) return reply.code(request.body.status).send({})
      if (couponFault && request.body.couponCode !== undefined)
        return reply.code(500).send({ error: 'coupon' })
      return reply.code(201).send({ orderId: 'ord_1', totalCents: 0, status: 'accepted' })
    },
  )
  app.get('/health', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the test server has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async answer(status, count, route = '/orders', delayMs) {
      const payload = delayMs === undefined ? { status } : { status, delayMs }
      await Promise.all(
        Array.from({ length: count }, () =>
          route === '/health'
            ? app.inject({ method: 'GET', url: route })
            : app.inject({ method: 'POST', url: route, payload }),
        ),
      )
    },
    setCouponFault: (on) => {
      couponFault = on
    },
    close: () => app.close(),
  }
}
