import { type SetupServer, setupServer } from 'msw/node'
import { paymentsHandlers } from './payments-handlers.ts'

const SERVER = Symbol.for('firedrill.payments.server')

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/** Loopback traffic (the shop's own HTTP) is none of the provider's business. */
export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url)
  return LOOPBACK.has(hostname) || hostname.endsWith('.localhost') || hostname.startsWith('127.')
}

/**
 * Puts the virtualised `https://payments.example` in this process: one MSW server for the whole process,
 * started once however often this is called. Loopback requests pass through untouched; a request to any
 * other host that no handler answers fails, so nothing leaks to the network.
 * Register each shop's account with `registerPaymentsAccount`.
 */
export function installPaymentsProvider(): SetupServer {
  const holder = globalThis as { [SERVER]?: SetupServer }
  const existing = holder[SERVER]
  if (existing !== undefined) return existing
  const server = setupServer(...paymentsHandlers)
  server.listen({
    onUnhandledRequest(request, print) {
      if (isLoopbackUrl(request.url)) return
      print.error()
    },
  })
  holder[SERVER] = server
  return server
}
