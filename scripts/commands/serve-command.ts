import { resolveFlagsToken } from '../../services/flags/flags-token.ts'
import { createLogger } from '../../services/platform/logger.ts'
import { provisionRedis, type RedisHandle } from '../../services/platform/redis/redis-provisioner.ts'
import { listenForStop } from '../../services/shop/part/listen-for-stop.ts'
import { createPartLogger } from '../../services/shop/part/part-logger.ts'
import { runShopPart } from '../../services/shop/part/run-shop-part.ts'
import {
  parseShopPartConfig,
  SHOP_PART_ROLES,
  type ShopPartConfig,
  type ShopPartConfigInput,
  type ShopPartRole,
} from '../../services/shop/part/shop-part-config.ts'
import { OWN_CODE_ROOT } from '../../services/shop/process/start-shop-process.ts'
import {
  type RunningShopProcesses,
  startShopProcesses,
} from '../../services/shop/process/start-shop-processes.ts'
import { ShopPartConfigInvalidError } from '../../services/shop/shop-errors.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'

const usage =
  'serve [--api N] [--workers M] [--port P] [--flags-port P] [--host ADDR] [--redis URL] [--prefix NAME] ' +
  '| serve --role api|worker|flags [--port P] [--instance NAME] [--host ADDR] [--redis URL] [--prefix NAME]'

/** Default ports: the api instances from 3000, the flags service on the api's first port + 100. */
const API_PORT = 3000
const FLAGS_PORT_OFFSET = 100

export const serveCommand: Command = {
  name: 'serve',
  usage,
  summary: 'run the shop until Ctrl-C, each part in its own process; --role runs one part here',
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        api: { type: 'string' },
        workers: { type: 'string' },
        port: { type: 'string' },
        'flags-port': { type: 'string' },
        host: { type: 'string' },
        redis: { type: 'string' },
        prefix: { type: 'string' },
        role: { type: 'string' },
        instance: { type: 'string' },
        concurrency: { type: 'string' },
      },
      usage,
    )
    // Everything the command line and the environment give is checked here, before anything starts.
    createLogger('shop')
    const concurrency = intOption(values.concurrency, 'concurrency', 4, 1, 256)
    const host = values.host ?? '127.0.0.1'
    const role = values.role === undefined ? undefined : parseRole(values.role)
    checkPartOptions({
      role: 'api',
      redisUrl: 'redis://127.0.0.1:6379',
      host,
      prefix: values.prefix ?? 'firedrill',
      workerConcurrency: concurrency,
      ...(values.instance === undefined ? {} : { instance: values.instance }),
    })
    if (role !== undefined) {
      for (const flag of ['api', 'workers', 'flags-port'] as const) {
        if (values[flag] !== undefined)
          throw new UsageError(
            `--${flag} is for the whole shop; with --role each process runs one part (start one per instance).\nUsage: ${usage}`,
          )
      }
      const defaultPort = role === 'api' ? API_PORT : role === 'flags' ? API_PORT + FLAGS_PORT_OFFSET : 0
      return servePart({
        role,
        port: intOption(values.port, 'port', defaultPort, 0, 65535),
        instance: values.instance ?? '0',
        host,
        concurrency,
        redis: values.redis,
        prefix: values.prefix ?? 'firedrill',
      })
    }
    if (values.instance !== undefined)
      throw new UsageError(`--instance names one part: use it with --role.\nUsage: ${usage}`)
    const apiPort = intOption(values.port, 'port', API_PORT, 0, 65535)
    return serveShop({
      apiInstances: intOption(values.api, 'api', 2, 1, 64),
      workers: intOption(values.workers, 'workers', 1, 0, 64),
      apiPort,
      flagsPort: intOption(
        values['flags-port'],
        'flags-port',
        apiPort === 0 ? 0 : apiPort + FLAGS_PORT_OFFSET,
        0,
        65535,
      ),
      host,
      concurrency,
      redis: values.redis,
      prefix: values.prefix ?? 'firedrill',
    })
  },
}

/** Where each field of a part's configuration comes from on the command line or in the environment. */
const SOURCE_OF: Record<string, string> = {
  role: '--role',
  redisUrl: '--redis',
  prefix: '--prefix',
  host: '--host',
  port: '--port',
  instance: '--instance',
  workerConcurrency: '--concurrency',
  logLevel: 'LOG_LEVEL',
  flagsToken: 'FIREDRILL_FLAGS_TOKEN',
}

/** The part configuration the command line makes; a problem is a usage error naming the option. */
function checkPartOptions(input: ShopPartConfigInput): ShopPartConfig {
  try {
    return parseShopPartConfig(input, 'the command line')
  } catch (err) {
    const source = err instanceof ShopPartConfigInvalidError ? SOURCE_OF[err.field] : undefined
    if (source === undefined) throw err
    const problem = (err as ShopPartConfigInvalidError).problem
    throw new UsageError(`${source} ${problem}.\nUsage: ${usage}`)
  }
}

function parseRole(value: string): ShopPartRole {
  if ((SHOP_PART_ROLES as readonly string[]).includes(value)) return value as ShopPartRole
  throw new UsageError(
    `--role must be one of ${SHOP_PART_ROLES.join(', ')} (got "${value}").\nUsage: ${usage}`,
  )
}

interface ServeShopOptions {
  apiInstances: number
  workers: number
  apiPort: number
  flagsPort: number
  host: string
  concurrency: number
  redis: string | undefined
  prefix: string
}

/**
 * The whole shop, each part in a process of its own (the flags service, the api instances, the workers), until
 * SIGTERM, SIGINT or SIGHUP: then every part stops, in-flight work finishing within its bound, and the private
 * Redis (if one was started) with them. The parts stop by themselves if this process dies.
 */
async function serveShop(options: ServeShopOptions): Promise<number> {
  ignoreBrokenOutput()
  const token = resolveFlagsToken(process.env)
  const stop = listenForStop()
  const redis = await provisionRedis({ url: options.redis })
  let shop: RunningShopProcesses
  try {
    if (await settledWithin(stop.requested, 0)) {
      process.stderr.write('stopped while starting\n')
      await stopRedis(redis)
      return 1
    }
    const starting = startShopProcesses(OWN_CODE_ROOT, {
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
  return lost === 0 ? 0 : 1
}

interface ServePartOptions {
  role: ShopPartRole
  port: number
  instance: string
  host: string
  concurrency: number
  redis: string | undefined
  prefix: string
}

/**
 * One part of the shop in this process, in the foreground: for a host that joins a shop through its Redis.
 * It never starts a private Redis, which would hold none of the shop's state.
 */
async function servePart(options: ServePartOptions): Promise<number> {
  ignoreBrokenOutput()
  const token = options.role === 'flags' ? resolveFlagsToken(process.env) : undefined
  const redis = await provisionRedis({ url: options.redis, startPrivate: false })
  const config = checkPartOptions({
    role: options.role,
    redisUrl: redis.url,
    prefix: options.prefix,
    host: options.host,
    port: options.port,
    instance: options.instance,
    workerConcurrency: options.concurrency,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    ...(token === undefined ? {} : { flagsToken: token.token }),
  })
  const logger = createPartLogger(config.role, config.instance, config.logLevel)
  const end = await runShopPart(config, {
    logger,
    onReady: (part) => {
      const url = part.role === 'worker' ? part.metricsUrl : part.url
      const lines = [
        `redis     ${redis.url} (${redis.source}), prefix ${config.prefix}`,
        `${part.role} ${part.instance}  ${url}  pid ${process.pid}`,
        ...(token === undefined
          ? []
          : [
              token.generated
                ? `token     ${token.token}  (generated; set FIREDRILL_FLAGS_TOKEN to the shop's token)`
                : 'token     from FIREDRILL_FLAGS_TOKEN',
            ]),
      ]
      process.stdout.write(`${lines.join('\n')}\nRunning one part of the shop. Ctrl-C stops it.\n`)
    },
  })
  return end.exitCode
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

/** A closed terminal or a reader gone must not turn an orderly stop into a crash. */
function ignoreBrokenOutput(): void {
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
}
