import { once } from 'node:events'
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { withTimeout } from '../../services/platform/with-timeout.ts'
import { decideProxyFault, type ProxyFaultDecision } from './decide-proxy-fault.ts'
import { ProxyTargetInvalidError } from './fault-proxy-errors.ts'
import { createFaultProxyMetrics, type ProxyOutcome } from './fault-proxy-metrics.ts'
import type { ProxyFault } from './proxy-fault.ts'
import type { ProxyFaultStore } from './proxy-fault-store.ts'

export interface FaultProxyOptions {
  /** The dependency the proxy stands in front of: an http:// URL (`http://127.0.0.1:4000`). */
  target: string
  /** Where the fault is read from, once per request. */
  store: ProxyFaultStore
  /** How long a request waits for the fault before it passes on without one. @defaultValue 250 */
  faultReadTimeoutMs?: number
  /** Decides unseeded faults. @defaultValue Math.random */
  random?: () => number
}

export interface FaultProxy {
  server: http.Server
  metrics: ReturnType<typeof createFaultProxyMetrics>
  /** Listens on loopback; resolves to the proxy's base URL. */
  listen(port?: number, host?: string): Promise<string>
  /** Stops accepting, ends idle keep-alive connections, waits for requests in flight. */
  close(): Promise<void>
}

/** The proxy's own paths; everything else is passed on. */
export const HEALTH_PATH = '/-/health'
export const METRICS_PATH = '/-/metrics'

// RFC 9110 §7.6.1: meaningful for one connection only, so never passed on.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/**
 * An HTTP reverse proxy on loopback that stands in front of one dependency and injects the fault its store
 * holds: latency, a status code, or a connection reset, each for a share of requests. The fault is read per
 * request, so a change made anywhere (a drill, `firedrill proxy fault set`, another proxy's store) applies to
 * the next request of every proxy process. When the fault cannot be read within `faultReadTimeoutMs` (Redis
 * gone), the request passes on untouched: the proxy never becomes the outage by itself.
 *
 * Bodies stream both ways; client connections are kept alive, and the upstream connections are pooled by a
 * keep-alive agent. Hop-by-hop headers stay on their hop; `x-forwarded-for/host/proto` are added. An upstream
 * that cannot be reached answers 502. `GET /-/health` and `GET /-/metrics` (Prometheus text) are the proxy's own.
 */
export function buildFaultProxy(options: FaultProxyOptions): FaultProxy {
  const target = parseTarget(options.target)
  const timeoutMs = options.faultReadTimeoutMs ?? 250
  const random = options.random ?? Math.random
  const metrics = createFaultProxyMetrics()
  const agent = new http.Agent({ keepAlive: true })
  let sequence = 0

  const readFault = async (): Promise<ProxyFault | null> => {
    try {
      const { fault } = await withTimeout(options.store.get(), timeoutMs, 'reading the proxy fault')
      metrics.faultActive.set(fault === null ? 0 : 1)
      return fault
    } catch {
      metrics.configReadFailures.inc()
      return null
    }
  }

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    if (path === HEALTH_PATH) return void health(res)
    if (path === METRICS_PATH) return void metricsText(res)
    void handle(req, res, ++sequence)
  })

  async function health(res: ServerResponse) {
    const state = await withTimeout(options.store.get(), timeoutMs, 'reading the proxy fault').catch(
      () => undefined,
    )
    res.writeHead(state === undefined ? 503 : 200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        status: state === undefined ? 'fault store unreachable' : 'ok',
        target: target.origin,
        ...(state === undefined ? {} : state),
      }),
    )
  }

  async function metricsText(res: ServerResponse) {
    res.writeHead(200, { 'content-type': metrics.registry.contentType })
    res.end(await metrics.registry.metrics())
  }

  async function handle(req: IncomingMessage, res: ServerResponse, number: number) {
    const started = performance.now()
    const done = (outcome: ProxyOutcome) => {
      metrics.requests.inc({ outcome })
      metrics.duration.observe({ outcome }, (performance.now() - started) / 1000)
    }
    const gone = new AbortController()
    res.once('close', () => gone.abort())
    const decision = decideProxyFault(await readFault(), requestKey(req, number), random)
    if (decision.delayMs > 0) {
      metrics.faults.inc({ fault: 'latency' })
      if (!(await delay(decision.delayMs, gone.signal))) return done('aborted')
    }
    if (gone.signal.aborted) return done('aborted')
    if (decision.reset) {
      metrics.faults.inc({ fault: 'reset' })
      req.socket.resetAndDestroy()
      return done('reset')
    }
    if (decision.status !== undefined) return answerWithStatus(req, res, decision, () => done('status'))
    forward(req, res, gone.signal, done)
  }

  function answerWithStatus(
    req: IncomingMessage,
    res: ServerResponse,
    d: ProxyFaultDecision,
    done: () => void,
  ) {
    metrics.faults.inc({ fault: 'status' })
    req.resume()
    const body = JSON.stringify({ error: `fault injected by the firedrill fault proxy: ${d.status}` })
    res.writeHead(d.status!, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-firedrill-fault': 'status',
    })
    res.end(body, done)
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    gone: AbortSignal,
    done: (outcome: ProxyOutcome) => void,
  ) {
    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, target.host),
      agent,
    })
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers))
      answer.pipe(res)
      answer.on('end', () => done('forwarded'))
      answer.on('error', () => res.destroy())
    })
    upstream.on('error', (err) => {
      if (gone.aborted) return done('aborted')
      if (res.headersSent) {
        res.destroy()
        return
      }
      const body = JSON.stringify({
        error: `the firedrill fault proxy could not reach ${target.origin}: ${err.message}`,
      })
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
      done('upstream_error')
    })
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }

  return {
    server,
    metrics,
    async listen(port = 0, host = '127.0.0.1') {
      server.listen(port, host)
      await once(server, 'listening')
      const address = server.address() as AddressInfo
      return `http://${host}:${address.port}`
    },
    async close() {
      const closed = server.listening ? once(server, 'close') : Promise.resolve()
      server.close()
      server.closeIdleConnections()
      await closed
      agent.destroy()
    },
  }
}

function parseTarget(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ProxyTargetInvalidError(text)
  }
  if (url.protocol !== 'http:' || url.hostname === '') throw new ProxyTargetInvalidError(text)
  return url
}

/** What names a request for a seeded fault: its `x-request-id`, else its number on this proxy. */
function requestKey(req: IncomingMessage, number: number): string {
  const id = req.headers['x-request-id']
  return typeof id === 'string' && id !== '' ? `id:${id}` : `n:${number}`
}

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  )
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)),
  )
}

function forwardedHeaders(req: IncomingMessage, host: string): IncomingHttpHeaders {
  const headers = endToEnd(req.headers)
  const client = req.socket.remoteAddress ?? ''
  const prior = req.headers['x-forwarded-for']
  return {
    ...headers,
    host,
    'x-forwarded-for': prior ? `${prior}, ${client}` : client,
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': 'http',
  }
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
