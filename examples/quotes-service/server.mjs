// A small quote service, written apart from firedrill's shop: its own metric names, its flags in a flagd file
// (evaluated in process by @openfeature/flagd-core, the file reloaded when it changes), and a dependency of its
// own (an exchange-rate service) that the new code path calls, and a degrade switch for it: with the flag
// quotes.cached-rates on, the service stops calling the exchange-rate service and prices from the last rate it got
// from it (or the rate it ships with, before it got one).
//
//   PORT=8080 FLAGS_FILE=./flags.json RATES_URL=http://127.0.0.1:9090 node examples/quotes-service/server.mjs
import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import { createServer } from 'node:http'
import { FlagdCore } from '@openfeature/flagd-core'
import { Histogram, Registry } from 'prom-client'
import { quote } from './quote.mjs'

const port = Number(process.env.PORT ?? 8080)
const flagsFile = process.env.FLAGS_FILE ?? new URL('./flags.json', import.meta.url).pathname
const ratesUrl = process.env.RATES_URL ?? 'http://127.0.0.1:9090'
/** The EUR rate the service ships with, for the degrade switch before any rate came from the rates service. */
const SHIPPED_RATE = 1.2
let lastGoodRate

const registry = new Registry()
const latency = new Histogram({
  name: 'quote_request_seconds',
  help: 'Quote requests answered, by handler and status code.',
  labelNames: ['handler', 'code'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
})

const flags = new FlagdCore()
let flagsLoaded = false
const loadFlags = () => {
  try {
    flags.setConfigurations(readFileSync(flagsFile, 'utf8'))
    flagsLoaded = true
  } catch (err) {
    // Keep the last good flags: a half-written or broken file changes nothing.
    process.stderr.write(`quotes: flags file not loaded: ${err.message}\n`)
  }
}
loadFlags()
watchFile(flagsFile, { interval: 100 }, loadFlags)

/**
 * The exchange rate to EUR. With the degrade switch quotes.cached-rates on, the rates service is not called: the
 * last good rate (or the shipped one) instead. Otherwise from the rates service; throws when it does not answer
 * with one.
 */
async function eurRate(customer) {
  if (flags.resolveBooleanEvaluation('quotes.cached-rates', false, { targetingKey: customer }).value)
    return lastGoodRate ?? SHIPPED_RATE
  const response = await fetch(`${ratesUrl}/rate?currency=EUR`, { signal: AbortSignal.timeout(1000) })
  if (!response.ok) throw new Error(`rates answered ${response.status}`)
  lastGoodRate = (await response.json()).rate
  return lastGoodRate
}

function readBody(request) {
  return new Promise((resolve) => {
    let text = ''
    request.on('data', (chunk) => {
      text += chunk
    })
    request.on('end', () => {
      try {
        resolve(text === '' ? {} : JSON.parse(text))
      } catch {
        resolve(null)
      }
    })
  })
}

const server = createServer(async (request, response) => {
  const send = (status, body, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type })
    response.end(type === 'application/json' ? JSON.stringify(body) : body)
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (request.method === 'GET' && path === '/live') return send(200, { live: true })
  if (request.method === 'GET' && path === '/ready')
    return send(flagsLoaded ? 200 : 503, { ready: flagsLoaded })
  if (request.method === 'GET' && path === '/metrics')
    return send(200, await registry.metrics(), registry.contentType)
  if (request.method === 'POST' && path === '/quote') {
    const end = latency.startTimer({ handler: '/quote' })
    const body = await readBody(request)
    let answer
    try {
      answer =
        body === null
          ? { status: 400, body: { error: 'body is not JSON' } }
          : await quote(body, {
              fxV2: flags.resolveBooleanEvaluation('quotes.fx-v2', false, {
                targetingKey: String(body.customer ?? 'anonymous'),
              }).value,
              rate: () => eurRate(String(body.customer ?? 'anonymous')),
            })
    } catch (err) {
      answer = { status: 502, body: { error: `rates unreachable: ${err.message}` } }
    }
    end({ code: String(answer.status) })
    return send(answer.status, answer.body)
  }
  send(404, { error: 'not found' })
})

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`quotes listening on http://127.0.0.1:${server.address().port}\n`)
})
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    unwatchFile(flagsFile)
    server.close(() => process.exit(0))
  })
