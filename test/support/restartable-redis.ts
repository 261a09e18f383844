import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { pingRedis } from '../../services/platform/redis/ping-redis.ts'
import { freePort } from '../../services/platform/redis/redis-provisioner.ts'

/**
 * A redis-server of a test's own, on a fixed loopback port, that the test can kill and start again on the same
 * port (no persistence, so it comes back empty, as a restarted Redis without persistence does). Never the
 * suite's shared server.
 */
export interface RestartableRedis {
  url: string
  port: number
  /** Kills the server (SIGKILL by default) and waits for it to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port and waits until it answers. */
  start(): Promise<void>
  /** Stops it for good. */
  close(): Promise<void>
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    )
    child = server
    const deadline = Date.now() + 5000
    for (;;) {
      try {
        await pingRedis('127.0.0.1', port, 200)
        return
      } catch (err) {
        if (server.exitCode !== null || Date.now() > deadline) throw err
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }
  }
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const server = child
    child = undefined
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return
    const exited = once(server, 'exit')
    server.kill(signal)
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, stop, start, close: () => stop('SIGKILL') }
}
