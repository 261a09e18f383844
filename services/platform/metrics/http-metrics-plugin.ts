import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Histogram, type Registry } from 'prom-client'

export interface HttpMetricsOptions {
  registry: Registry
  /** Also collect the process's own metrics (event loop lag, heap, CPU). @defaultValue false */
  processMetrics?: boolean
}

/** Upper bounds of `http_request_duration_seconds`, in seconds: a latency SLI's threshold must be one of them. */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
])

/**
 * `http_request_duration_seconds{method,route,status_code}` for every request (route is the route's pattern,
 * never the raw URL, so ids do not explode the label set), plus `http_requests_total`, and `GET /metrics`.
 * Each app instance gets its own registry, so several instances in one process report separately.
 */
const plugin: FastifyPluginAsync<HttpMetricsOptions> = async (app, options) => {
  const { registry } = options
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, in seconds.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  })
  const total = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  })

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    if (route === '/metrics') return
    const labels = { method: request.method, route, status_code: String(reply.statusCode) }
    duration.observe(labels, reply.elapsedTime / 1000)
    total.inc(labels)
  })

  // Scrapes come several times a second: logged only when something is wrong, so they do not drown the rest.
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', registry.contentType)
    return registry.metrics()
  })
}

/** Not encapsulated: its hook must see every route of the app that registers it. */
export const httpMetricsPlugin = fp(plugin, { name: 'firedrill-http-metrics', fastify: '5.x' })
