import { isFiredrillError } from '../../platform/firedrill-error.ts'
import { createPartLogger } from '../part/part-logger.ts'
import { runShopPart } from '../part/run-shop-part.ts'
import { parseShopPartConfig } from '../part/shop-part-config.ts'
import {
  isShopProcessConfigMessage,
  type ShopProcessFailedMessage,
  type ShopProcessReadyMessage,
} from './shop-process-messages.ts'

/** How long the process waits for its configuration before giving up. */
const CONFIG_TIMEOUT_MS = 10_000

/**
 * The entry point the shop launcher spawns (`node --import tsx services/shop/process/shop-process-main.ts`):
 * one part of the shop in this process. Its configuration arrives as the first IPC message; it answers with one
 * `{ready:true,role,url,pid,…}` message, or `{ready:false,error}` and an exit. Logs go to stderr. SIGTERM,
 * SIGINT or SIGHUP stop it gracefully within its `shutdownTimeoutMs`; so does its parent's death (the IPC
 * channel closes), so no shop process outlives whoever started it.
 */
async function main(): Promise<number> {
  if (typeof process.send !== 'function') {
    process.stderr.write(
      'shop-process-main.ts is started by the shop launcher, with an IPC channel. ' +
        'To run one part of the shop by hand, use `firedrill serve --role api|worker|flags`.\n',
    )
    return 2
  }
  let raw: unknown
  try {
    raw = await receiveConfig(CONFIG_TIMEOUT_MS)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 2
  }
  try {
    const config = parseShopPartConfig(raw, 'the launcher')
    const logger = createPartLogger(config.role, config.instance, config.logLevel)
    const end = await runShopPart(config, {
      logger,
      watchParent: true,
      onReady: (part) => {
        const ready: ShopProcessReadyMessage = {
          ready: true,
          role: part.role,
          instance: part.instance,
          url: part.url,
          metricsUrl: part.metricsUrl,
          pid: process.pid,
        }
        void send(ready)
      },
    })
    return end.exitCode
  } catch (err) {
    const exitCode = isFiredrillError(err) ? err.exitCode : 1
    const message = isFiredrillError(err)
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err)
    process.stderr.write(`${message}\n`)
    const failed: ShopProcessFailedMessage = {
      ready: false,
      error: { ...(isFiredrillError(err) ? { code: err.code } : {}), message, exitCode },
    }
    await send(failed)
    return exitCode
  }
}

function receiveConfig(timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      process.off('message', onMessage)
      process.off('disconnect', onDisconnect)
    }
    const onMessage = (message: unknown) => {
      if (!isShopProcessConfigMessage(message)) return
      done()
      resolve(message.config)
    }
    const onDisconnect = () => {
      done()
      reject(new Error('the launcher went away before it sent the configuration'))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`no configuration from the launcher within ${timeoutMs} ms`))
    }, timeoutMs)
    process.on('message', onMessage)
    process.once('disconnect', onDisconnect)
  })
}

/** Sends one message to the launcher; resolves once it is written (or the channel is gone). */
function send(message: ShopProcessReadyMessage | ShopProcessFailedMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve()
    process.send(message, undefined, {}, () => resolve())
  })
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
