import { resolveFlagsToken } from '../../services/flags/flags-token.ts'
import { provisionRedis, type RedisHandle } from '../../services/platform/redis/redis-provisioner.ts'
import { listenForStop } from '../../services/shop/part/listen-for-stop.ts'
import { OWN_CODE_ROOT } from '../../services/shop/process/start-shop-process.ts'
import {
  type RunningShopProcesses,
  startShopProcesses,
} from '../../services/shop/process/start-shop-processes.ts'
import { ignoreBrokenOutput } from './ignore-broken-output.ts'
import { buildChangedShop } from './serve-change.ts'

export interface ServeShopOptions {
  apiInstances: number
  workers: number
  apiPort: number
  flagsPort: number
  host: string
  concurrency: number
  redis: string | undefined
  prefix: string
  /** A catalog scenario whose change is served dark (`--change`). @defaultValue the shop as it is */
  change?: string
}

/**
 * The whole shop, each part in a process of its own (the flags service, the api instances, the workers), until
 * SIGTERM, SIGINT or SIGHUP: then every part stops, in-flight work finishing within its bound, and the private
 * Redis (if one was started) with them. The parts stop by themselves if this process dies.
 */
export async function serveShop(options: ServeShopOptions): Promise<number> {
  ignoreBrokenOutput()
  const token = resolveFlagsToken(process.env)
  const changed = options.change === undefined ? undefined : await buildChangedShop(options.change)
  const stop = listenForStop()
  let redis: RedisHandle
  try {
    redis = await provisionRedis({ url: options.redis })
  } catch (err) {
    stop.dispose()
    await changed?.remove()
    throw err
  }
  let shop: RunningShopProcesses
  try {
    if (await settledWithin(stop.requested, 0)) {
      process.stderr.write('stopped while starting\n')
      await stopRedis(redis)
      await changed?.remove()
      return 1
    }
    const starting = startShopProcesses(changed?.codeRoot ?? OWN_CODE_ROOT, {
      redisUrl: redis.url,
      prefix: options.prefix,
      apiInstances: options.apiInstances,
      workers: options.workers,
      host: options.host,
      apiPort: options.apiPort,
      flagsPort: options.flagsPort,
      flagsToken: token.token,
      workerConcurrency: options.concurrency,
      logLevel: process.env.LOG_LEVEL ?? 'info',
    })
    const first = await Promise.race([
      starting.then((running) => ({ running })),
      stop.requested.then((reason) => ({ reason })),
    ])
    if ('reason' in first) {
      // Asked to stop while starting: exiting is enough. The parts started so far see this process go and
      // stop, and so does a private Redis.
      starting
        .then(
          (running) => running.close(),
          () => {},
        )
        .catch(() => {})
      process.stderr.write(`stopped while starting (${first.reason})\n`)
      return 1
    }
    shop = first.running
  } catch (err) {
    stop.dispose()
    await stopRedis(redis)
    await changed?.remove()
    throw err
  }

  const row = (label: string, url: string, pid: number) => `${label.padEnd(9)} ${url.padEnd(30)} pid ${pid}`
  const lines = [
    `redis     ${redis.url} (${redis.source})`,
    ...shop.apis.map((p, i) => row(`api ${i}`, p.url, p.pid)),
    ...(shop.flags === undefined ? [] : [row('flags', shop.flags.url, shop.flags.pid)]),
    ...shop.workers.map((p, i) => row(`worker ${i}`, p.metricsUrl, p.pid)),
    token.generated
      ? `token     ${token.token}  (generated for this run; set FIREDRILL_FLAGS_TOKEN to choose one)`
      : 'token     from FIREDRILL_FLAGS_TOKEN',
    ...(changed === undefined ? [] : [`change    "${changed.title}", deployed dark behind ${changed.flag}`]),
  ]
  process.stdout.write(
    `${lines.join('\n')}\nThe shop is running, each part in its own process. Ctrl-C stops it.\n`,
  )

  let stopping = false
  let lost = 0
  for (const part of shop.processes) {
    part.exited.then((how) => {
      if (stopping) return
      lost += 1
      process.stderr.write(
        `${part.role} ${part.instance} (pid ${part.pid}) ended on its own (${how.signal ?? `code ${how.code}`}); ` +
          'the other parts keep running.\n',
      )
    })
  }

  const reason = await stop.requested
  stopping = true
  process.stderr.write(`stopping (${reason}): the parts finish the requests and jobs in hand\n`)
  const stopped = Promise.all(shop.processes.map((p) => p.stop()))
  // A second Ctrl-C: no more waiting.
  await Promise.race([stopped, stop.insisted.then(() => Promise.all(shop.processes.map((p) => p.kill())))])
  stop.dispose()
  await stopRedis(redis)
  await changed?.remove()
  return lost === 0 ? 0 : 1
}

/** Stops a private Redis within a bound: `serve` must be gone within 5 s of a signal. */
async function stopRedis(redis: RedisHandle): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([redis.stop(), new Promise((r) => (timer = setTimeout(r, 1500)))])
  clearTimeout(timer)
}

/** True when `promise` has settled (or settles within `ms`). */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms)
    }),
  ])
  clearTimeout(timer)
  return settled
}
