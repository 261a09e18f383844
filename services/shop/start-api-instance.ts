import type { FastifyInstance } from 'fastify'
import { buildApp } from '../api/build-app.ts'
import { createFlagClient } from '../flags/index.ts'
import { PortInUseError } from '../platform/errors.ts'
import { DEFAULT_PREFIX } from '../platform/keys.ts'
import type { Logger } from '../platform/logger.ts'

export interface ApiInstanceOptions {
  redisUrl: string
  /** Key prefix shared by the whole shop. @defaultValue 'firedrill' */
  prefix?: string
  /** Loopback address to bind. @defaultValue '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @defaultValue 0 */
  port?: number
  /** Names this instance in logs and in its OpenFeature domain (`<prefix>:api-<instance>`). @defaultValue 0 */
  instance?: number | string
  /** How often the flag provider resyncs, besides listening for changes. @defaultValue 5000 */
  flagsResyncIntervalMs?: number
  /** Collect process metrics into this instance's registry (one instance per process should). @defaultValue false */
  processMetrics?: boolean
  /** Headers added to every response, e.g. which build this instance runs. @defaultValue none */
  responseHeaders?: Record<string, string>
  /** @defaultValue no logging */
  logger?: Logger
}

export interface RunningApiInstance {
  url: string
  /** Stops taking requests, lets in-flight ones finish, closes its connections and flag provider. Idempotent. */
  close(): Promise<void>
}

/**
 * One checkout api instance listening on loopback, with a flag provider and Redis connections of its own (as
 * a separate process would have). If it cannot start, nothing it opened is left open.
 */
export async function startApiInstance(options: ApiInstanceOptions): Promise<RunningApiInstance> {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const instance = options.instance ?? 0
  const flags = await createFlagClient({
    redisUrl: options.redisUrl,
    prefix,
    domain: `${prefix}:api-${instance}`,
    ...(options.flagsResyncIntervalMs === undefined
      ? {}
      : { resyncIntervalMs: options.flagsResyncIntervalMs }),
  })
  let api: FastifyInstance | undefined
  try {
    api = await buildApp({
      redisUrl: options.redisUrl,
      prefix,
      flags,
      processMetrics: options.processMetrics ?? false,
      ...(options.logger ? { logger: options.logger.child({ service: 'api', instance }) } : {}),
    })
    const headers = options.responseHeaders
    if (headers !== undefined) {
      api.addHook('onSend', async (_request, reply) => {
        reply.headers(headers)
      })
    }
    const url = await listenApp(api, options.host ?? '127.0.0.1', options.port ?? 0)
    const started = api
    let closing: Promise<void> | undefined
    return {
      url,
      close: () => {
        closing ??= (async () => {
          await started.close().catch(() => {})
          await flags.close().catch(() => {})
        })()
        return closing
      },
    }
  } catch (err) {
    await api?.close().catch(() => {})
    await flags.close().catch(() => {})
    throw err
  }
}

/** Listens on `host:port` and returns the server's `http://host:port`; a taken port is a PortInUseError. */
export async function listenApp(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port, err)
    throw err
  }
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  return `http://${host}:${address.port}`
}
