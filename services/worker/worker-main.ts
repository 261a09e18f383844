import { isFiredrillError } from '../platform/firedrill-error.ts'
import { createLogger } from '../platform/logger.ts'
import { startFulfilmentWorker } from './start-fulfilment-worker.ts'
import { loadWorkerConfig } from './worker-config.ts'

/**
 * The fulfilment worker as a process: configured by the environment (see `WorkerEnvSchema`), prints
 * `{"ready":true}` on stdout once it takes jobs, and on SIGTERM/SIGINT finishes the job in hand and exits.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env)
  const logger = createLogger('worker')
  const handle = await startFulfilmentWorker({ ...config, logger })

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'closing: finishing the jobs in hand')
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'close failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  logger.info({ prefix: config.prefix, concurrency: config.concurrency }, 'fulfilment worker ready')
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
}

main().catch((err: unknown) => {
  if (isFiredrillError(err)) {
    process.stderr.write(`${err.message}\n`)
    process.exit(err.exitCode)
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
