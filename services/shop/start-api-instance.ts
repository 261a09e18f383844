import type { FastifyInstance } from 'fastify'
import { Gauge, Registry } from 'prom-client'
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
    const registry = new Registry()
    servedFlagsMetrics(registry, () => flags.provider.served)
    api = await buildApp({
      redisUrl: options.redisUrl,
      prefix,
      flags,
      registry,
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

/**
 * Which flag revision this instance serves, and since when: a flip (its revision in the flag service's answer) is
 * timed to the moment each instance began serving it, without asking the instance in a loop.
 */
function servedFlagsMetrics(registry: Registry, served: () => { revision: number; appliedAt: number }): void {
  new Gauge({
    name: 'feature_flag_revision',
    help: 'The revision of the flag definitions this instance serves.',
    registers: [registry],
    collect() {
      this.set(served().revision)
    },
  })
  new Gauge({
    name: 'feature_flag_revision_applied_timestamp_seconds',
    help: 'When this instance began serving its flag revision (Unix time, sub-millisecond).',
    registers: [registry],
    collect() {
      this.set(served().appliedAt / 1000)
    },
  })
}
