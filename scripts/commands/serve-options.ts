import {
  parseShopPartConfig,
  type ShopPartConfig,
  type ShopPartConfigInput,
} from '../../services/shop/part/shop-part-config.ts'
import { ShopPartConfigInvalidError } from '../../services/shop/shop-errors.ts'
import { UsageError } from '../cli-errors.ts'
import { usageText } from '../command-definition.ts'
import { serveDefinition } from '../definitions/serve-definition.ts'

export const SERVE_USAGE = usageText(serveDefinition)

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
export function checkPartOptions(input: ShopPartConfigInput): ShopPartConfig {
  try {
    return parseShopPartConfig(input, 'the command line')
  } catch (err) {
    const source = err instanceof ShopPartConfigInvalidError ? SOURCE_OF[err.field] : undefined
    if (source === undefined) throw err
    const problem = (err as ShopPartConfigInvalidError).problem
    throw new UsageError(`${source} ${problem}.\nUsage: ${SERVE_USAGE}`)
  }
}
