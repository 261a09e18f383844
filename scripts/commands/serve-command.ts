import { createLogger } from '../../services/platform/logger.ts'
import { SHOP_PART_ROLES, type ShopPartRole } from '../../services/shop/part/shop-part-config.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { serveDefinition } from '../definitions/serve-definition.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'
import { checkPartOptions, SERVE_USAGE as usage } from './serve-options.ts'
import { servePart } from './serve-part.ts'
import { serveShop } from './serve-shop.ts'

/** Default ports: the api instances from 3000, the flags service on the api's first port + 100. */
const API_PORT = 3000
const FLAGS_PORT_OFFSET = 100

export const serveCommand: Command = {
  name: 'serve',
  async run(argv) {
    const { values } = parseCommandArgs(argv, serveDefinition)
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
      for (const flag of ['api', 'workers', 'flags-port', 'change'] as const) {
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
      ...(values.change === undefined ? {} : { change: values.change }),
    })
  },
}

function parseRole(value: string): ShopPartRole {
  if ((SHOP_PART_ROLES as readonly string[]).includes(value)) return value as ShopPartRole
  throw new UsageError(
    `--role must be one of ${SHOP_PART_ROLES.join(', ')} (got "${value}").\nUsage: ${usage}`,
  )
}
