import { userInfo } from 'node:os'
import { DEFAULT_PREFIX } from '../../services/platform/keys.ts'
import { createRedisConnection, waitForReady } from '../../services/platform/redis/redis-connection.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { buildFaultProxy, HEALTH_PATH, METRICS_PATH } from '../../simulator/fault-proxy/fault-proxy.ts'
import { type ProxyFault, parseProxyFault } from '../../simulator/fault-proxy/proxy-fault.ts'
import { proxyFaultKey, RedisProxyFaultStore } from '../../simulator/fault-proxy/redis-proxy-fault-store.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'

const usage =
  'proxy serve --target URL [--port P] [--name NAME] | proxy fault show|clear|set [--latency-ms N [--latency-percent P]] [--status CODE --status-percent P] [--reset-percent P] [--seed N] --reason TEXT [--by WHO] [--name NAME] [--redis URL] [--prefix NAME]'

const options = {
  target: { type: 'string' },
  port: { type: 'string' },
  name: { type: 'string', default: 'default' },
  'latency-ms': { type: 'string' },
  'latency-percent': { type: 'string' },
  status: { type: 'string' },
  'status-percent': { type: 'string' },
  'reset-percent': { type: 'string' },
  seed: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  redis: { type: 'string' },
  prefix: { type: 'string', default: DEFAULT_PREFIX },
} as const

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values']

/** The fault the options describe, validated as the proxy validates what it reads. */
function faultOf(values: Values): ProxyFault {
  const int = (name: keyof Values, max: number) => intOption(values[name] as string, name, 0, 0, max)
  const fault: Record<string, unknown> = {}
  if (values['latency-ms'] !== undefined)
    fault.latency = {
      ms: int('latency-ms', 600_000),
      ...(values['latency-percent'] === undefined ? {} : { percent: int('latency-percent', 100) }),
    }
  if (values.status !== undefined || values['status-percent'] !== undefined)
    fault.status = {
      code: values.status === undefined ? undefined : int('status', 999),
      percent: values['status-percent'] === undefined ? 100 : int('status-percent', 100),
    }
  if (values['reset-percent'] !== undefined) fault.reset = { percent: int('reset-percent', 100) }
  if (values.seed !== undefined) fault.seed = int('seed', 2 ** 31 - 1)
  return parseProxyFault(fault, 'the command line')
}

/**
 * firedrill's HTTP fault proxy. `serve` stands a proxy in front of one dependency (`--target`) until Ctrl-C;
 * `fault set|clear|show` changes or shows the fault that every proxy of that `--name` on that Redis injects.
 */
export const proxyCommand: Command = {
  name: 'proxy',
  usage,
  summary:
    "an HTTP fault proxy in front of a service's dependency: latency, status codes, resets, for a share",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, options, usage, { min: 1, max: 2 })
    const [verb, action] = positionals
    if (verb === 'serve' && action === undefined) return serve(values)
    if (verb === 'fault' && (action === 'show' || action === 'clear' || action === 'set'))
      return fault(action, values)
    throw new UsageError(`Unknown subcommand "${positionals.join(' ')}".\nUsage: firedrill ${usage}`, usage)
  },
}

async function fault(action: 'show' | 'clear' | 'set', values: Values): Promise<number> {
  const wanted = action === 'set' ? faultOf(values) : undefined
  if (action === 'set' && (values.reason === undefined || values.reason.trim() === ''))
    throw new UsageError(
      `proxy fault set needs --reason TEXT: the audit keeps why.\nUsage: firedrill ${usage}`,
    )
  const redis = await provisionRedis({ url: values.redis, startPrivate: false })
  const connection = createRedisConnection(redis.url, 'worker')
  try {
    const store = new RedisProxyFaultStore(connection, values.prefix, values.name)
    const who = values.by ?? userInfo().username
    const state =
      wanted !== undefined
        ? await store.set(wanted, who, values.reason!)
        : action === 'clear'
          ? await store.clear(values.reason ?? 'cleared with firedrill proxy fault clear', who)
          : await store.get()
    process.stdout.write(`${JSON.stringify(state)}\n`)
    return 0
  } finally {
    await connection.quit()
  }
}

async function serve(values: Values): Promise<number> {
  if (values.target === undefined)
    throw new UsageError(`proxy serve needs --target URL.\nUsage: firedrill ${usage}`)
  const port = intOption(values.port, 'port', 0, 0, 65_535)
  const redis = await provisionRedis({ url: values.redis, startPrivate: false })
  const connection = createRedisConnection(redis.url, 'command')
  const store = new RedisProxyFaultStore(connection, values.prefix, values.name)
  try {
    await waitForReady(connection)
    const proxy = buildFaultProxy({ target: values.target, store })
    const url = await proxy.listen(port)
    process.stdout.write(
      [
        `proxy    ${url} → ${values.target}`,
        `faults   ${proxyFaultKey(values.prefix, values.name)} on ${redis.url} (firedrill proxy fault set --name ${values.name} …)`,
        `health   ${url}${HEALTH_PATH}`,
        `metrics  ${url}${METRICS_PATH}`,
        'The proxy is running. Ctrl-C stops it.',
        '',
      ].join('\n'),
    )
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await proxy.close()
    return 0
  } finally {
    await connection.quit().catch(() => connection.disconnect())
  }
}
