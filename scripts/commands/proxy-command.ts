import { userInfo } from 'node:os'
import { createRedisConnection, waitForReady } from '../../services/platform/redis/redis-connection.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { buildFaultProxy, HEALTH_PATH, METRICS_PATH } from '../../simulator/fault-proxy/fault-proxy.ts'
import { type ProxyFault, parseProxyFault } from '../../simulator/fault-proxy/proxy-fault.ts'
import { proxyFaultKey, RedisProxyFaultStore } from '../../simulator/fault-proxy/redis-proxy-fault-store.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { proxyFaultDefinition, proxyServeDefinition } from '../definitions/proxy-definition.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

type FaultValues = ReturnType<typeof parseCommandArgs<typeof proxyFaultDefinition.options>>['values']
type ServeValues = ReturnType<typeof parseCommandArgs<typeof proxyServeDefinition.options>>['values']
const SUBCOMMANDS = [proxyServeDefinition, proxyFaultDefinition]

/** The fault the options describe, validated as the proxy validates what it reads. */
function faultOf(values: FaultValues): ProxyFault {
  const int = (name: keyof FaultValues, max: number) => intOption(values[name] as string, name, 0, 0, max)
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
  async run(argv) {
    const { definition, rest } = findSubcommand('proxy', SUBCOMMANDS, argv)
    if (definition === proxyServeDefinition) return serve(parseCommandArgs(rest, proxyServeDefinition).values)
    const { values, positionals } = parseCommandArgs(rest, proxyFaultDefinition)
    const action = positionals[0]
    if (action === 'show' || action === 'clear' || action === 'set') return fault(action, values)
    throw new UsageError(
      `proxy fault takes show, clear or set (got "${action}").
${usageText(proxyFaultDefinition)}`,
      usageText(proxyFaultDefinition),
    )
  },
}

async function fault(action: 'show' | 'clear' | 'set', values: FaultValues): Promise<number> {
  const wanted = action === 'set' ? faultOf(values) : undefined
  if (action === 'set' && (values.reason === undefined || values.reason.trim() === ''))
    throw new UsageError(
      `proxy fault set needs --reason TEXT: the audit keeps why.\n${usageText(proxyFaultDefinition)}`,
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

async function serve(values: ServeValues): Promise<number> {
  if (values.target === undefined)
    throw new UsageError(`proxy serve needs --target URL.\n${usageText(proxyServeDefinition)}`)
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
