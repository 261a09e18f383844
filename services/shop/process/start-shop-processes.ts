import { DEFAULT_PREFIX } from '../../platform/keys.ts'
import type { RunningShop, ShopOptions } from '../shop-options.ts'
import { type ShopProcess, type ShopProcessOptions, startShopProcess } from './start-shop-process.ts'

export interface ShopProcessesOptions extends Omit<ShopOptions, 'logger'> {
  /** Start the flags service (a drill's staging may share production's). @defaultValue true */
  flags?: boolean
  /** Headers every api instance adds to its responses (e.g. the build it runs). @defaultValue none */
  responseHeaders?: Record<string, string>
  /** Names api instance `i` and worker `i` in logs and OpenFeature domains. @defaultValue String(i) */
  instanceName?: (role: 'api' | 'worker', index: number) => string
  /** @defaultValue 30000 */
  workerLockDurationMs?: number
  /** @defaultValue 30000 */
  workerStalledIntervalMs?: number
  /** Each part's bound on its graceful stop. @defaultValue 3000 */
  shutdownTimeoutMs?: number
  /** pino level of every part's logs. @defaultValue 'info' */
  logLevel?: string
  /** See `ShopProcessOptions`. @defaultValue 'inherit' */
  output?: 'inherit' | 'capture'
  /** See `ShopProcessOptions`. @defaultValue none */
  onOutputLine?: (line: string) => void
  /** @defaultValue 20000 */
  startTimeoutMs?: number
}

export interface RunningShopProcesses extends RunningShop {
  /** Every process of the shop: flags first, then the api instances, then the workers. */
  processes: ShopProcess[]
  /** Undefined with `flags: false` (and `flagsUrl` is then ''). */
  flags: ShopProcess | undefined
  apis: ShopProcess[]
  workers: ShopProcess[]
  /** Stops every process at once (SIGTERM, in-flight work finishes, a kill after the bound). Idempotent. */
  close(): Promise<void>
}

/**
 * The whole shop as processes, each running the code under `codeRoot`: the flags service first (it seeds the
 * flag store), then `apiInstances` api instances (on consecutive ports from `apiPort`) and `workers` workers
 * side by side. If any part fails to start, every process started is stopped and the error is thrown.
 */
export async function startShopProcesses(
  codeRoot: string,
  options: ShopProcessesOptions,
): Promise<RunningShopProcesses> {
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const paymentsApiKey = options.paymentsApiKey ?? `sk_test_${prefix}`
  const name = options.instanceName ?? ((_role, index) => String(index))
  const common: Omit<ShopProcessOptions, 'role'> = {
    redisUrl: options.redisUrl,
    prefix,
    host: options.host ?? '127.0.0.1',
    paymentsApiKey,
    ...defined({
      flagsResyncIntervalMs: options.flagsResyncIntervalMs,
      workerConcurrency: options.workerConcurrency,
      workerLockDurationMs: options.workerLockDurationMs,
      workerStalledIntervalMs: options.workerStalledIntervalMs,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      logLevel: options.logLevel,
      output: options.output,
      onOutputLine: options.onOutputLine,
      startTimeoutMs: options.startTimeoutMs,
    }),
  }
  const started: ShopProcess[] = []
  const stopAll = async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()))
  }
  const track = async (promise: Promise<ShopProcess>) => {
    const part = await promise
    started.push(part)
    return part
  }

  try {
    const flags =
      (options.flags ?? true)
        ? await track(
            startShopProcess(codeRoot, {
              ...common,
              role: 'flags',
              port: options.flagsPort ?? 0,
              // Only the flags service checks the token; the other parts never see it.
              flagsToken: options.flagsToken,
            }),
          )
        : undefined
    const firstPort = options.apiPort ?? 0
    const apiStarts = Array.from({ length: options.apiInstances ?? 2 }, (_, i) =>
      track(
        startShopProcess(codeRoot, {
          ...common,
          role: 'api',
          instance: name('api', i),
          port: firstPort === 0 ? 0 : firstPort + i,
          ...(options.responseHeaders === undefined ? {} : { responseHeaders: options.responseHeaders }),
        }),
      ),
    )
    const workerStarts = Array.from({ length: options.workers ?? 1 }, (_, i) =>
      track(startShopProcess(codeRoot, { ...common, role: 'worker', instance: name('worker', i) })),
    )
    const settled = await Promise.allSettled([...apiStarts, ...workerStarts])
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    const apis = await Promise.all(apiStarts)
    const workers = await Promise.all(workerStarts)

    let closing: Promise<void> | undefined
    const processes = [...(flags === undefined ? [] : [flags]), ...apis, ...workers]
    return {
      processes,
      flags,
      apis,
      workers,
      apiUrls: apis.map((p) => p.url),
      flagsUrl: flags?.url ?? '',
      workerMetricsUrls: workers.map((p) => p.metricsUrl),
      prefix,
      paymentsApiKey,
      close: () => {
        closing ??= stopAll()
        return closing
      },
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>
}
