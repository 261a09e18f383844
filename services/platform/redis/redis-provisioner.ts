import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, isAbsolute, join } from 'node:path'
import { RedisUnavailableError, RedisUnreachableError, RedisUrlInvalidError } from '../errors.ts'
import { pingRedis } from './ping-redis.ts'

export type RedisSource = 'option' | 'env' | 'local' | 'private'

export interface RedisHandle {
  /** A redis:// URL every part can connect to. */
  readonly url: string
  /** Where the URL came from: `--redis`, `REDIS_URL`, a server already on 127.0.0.1:6379, or a private child. */
  readonly source: RedisSource
  /** Stops the private server, if firedrill started one; otherwise does nothing. */
  stop(): Promise<void>
}

export interface ProvisionRedisOptions {
  /** `--redis URL` from the command line; wins over everything else. */
  url?: string | undefined
  /** Where `REDIS_URL` is read from. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** Probe a server already on 127.0.0.1:6379 before starting one. @defaultValue true */
  probeLocal?: boolean
  /**
   * Start a private server when none is found. Commands that act on a running shop turn this off: a fresh
   * private server would hold none of the shop's state. @defaultValue true
   */
  startPrivate?: boolean
  /** The redis-server executable. @defaultValue 'redis-server' (from PATH) */
  redisServer?: string
  /** How long to wait for a private server to answer. @defaultValue 5000 */
  startTimeoutMs?: number
}

const LOCAL_HOST = '127.0.0.1'
const LOCAL_PORT = 6379

/**
 * Finds Redis the way every firedrill command and the test suite do: `--redis URL`, else `REDIS_URL`, else a
 * server already answering on 127.0.0.1:6379, else a private `redis-server` child on a free port with no
 * persistence, stopped when the caller stops it, when this process exits, and when this process dies of any
 * signal, its process group's included (the child watches its stdin pipe, which closes with the parent).
 */
export async function provisionRedis(options: ProvisionRedisOptions = {}): Promise<RedisHandle> {
  const env = options.env ?? process.env
  const given = options.url ?? env.REDIS_URL
  if (given !== undefined && given !== '') {
    const source: RedisSource = options.url === undefined ? 'env' : 'option'
    const label = source === 'option' ? '--redis' : 'REDIS_URL'
    const { host, port } = parseRedisUrl(given, label)
    try {
      await pingRedis(host, port, 2000)
    } catch (err) {
      throw new RedisUnreachableError(given, label, err)
    }
    return { url: given, source, stop: async () => {} }
  }

  if (options.probeLocal ?? true) {
    try {
      await pingRedis(LOCAL_HOST, LOCAL_PORT, 300)
      return { url: `redis://${LOCAL_HOST}:${LOCAL_PORT}`, source: 'local', stop: async () => {} }
    } catch {
      // nothing there: start our own
    }
  }
  if (options.startPrivate === false) {
    throw new RedisUnavailableError(
      'this command acts on a running shop, so it does not start a private server',
    )
  }
  return startPrivateRedis(options.redisServer ?? 'redis-server', options.startTimeoutMs ?? 5000)
}

export function parseRedisUrl(url: string, label: string): { host: string; port: number } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new RedisUrlInvalidError(url, label)
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new RedisUrlInvalidError(url, label)
  const port = parsed.port === '' ? LOCAL_PORT : Number(parsed.port)
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || LOCAL_HOST, port }
}

async function startPrivateRedis(name: string, timeoutMs: number): Promise<RedisHandle> {
  const executable = findExecutable(name)
  if (executable === undefined) throw new RedisUnavailableError(`\`${name}\` is not on PATH`)
  const port = await freePort()
  const args = [
    '--port',
    String(port),
    '--bind',
    LOCAL_HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ]
  // The shell stays as the child's guardian: when our end of its stdin closes (we exit or die, whatever the
  // signal), `read` returns and it stops redis-server, so no private server outlives firedrill. It runs in a
  // session of its own, so a signal meant for firedrill's terminal or process group (a closed terminal's
  // SIGHUP, which redis-server ignores) reaches only firedrill, whose death closes the pipe; a signal sent to
  // the guardian itself stops redis-server too.
  const script = `"$0" "$@" & r=$!; trap 'kill $r 2>/dev/null; wait $r; exit 0' TERM INT HUP; read _; kill $r 2>/dev/null; wait $r`
  let child: ChildProcess
  try {
    child = spawn('sh', ['-c', script, executable, ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true,
    })
  } catch (err) {
    throw new RedisUnavailableError(`redis-server could not be started (${(err as Error).message})`)
  }
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const killOnExit = () => {
    child.stdin?.destroy()
    child.kill('SIGTERM')
  }
  process.once('exit', killOnExit)

  const deadline = Date.now() + timeoutMs
  for (;;) {
    const early = await Promise.race([exited, delay(50).then(() => 'running' as const)])
    if (early !== 'running') {
      process.removeListener('exit', killOnExit)
      throw new RedisUnavailableError(`redis-server exited at start (${stderr.trim() || `code ${early}`})`)
    }
    try {
      await pingRedis(LOCAL_HOST, port, 200)
      break
    } catch {
      if (Date.now() > deadline) {
        killOnExit()
        process.removeListener('exit', killOnExit)
        throw new RedisUnavailableError(
          `a private redis-server on port ${port} did not answer in ${timeoutMs} ms`,
        )
      }
    }
  }

  let stopped: Promise<void> | undefined
  return {
    url: `redis://${LOCAL_HOST}:${port}`,
    source: 'private',
    stop: () => {
      stopped ??= (async () => {
        process.removeListener('exit', killOnExit)
        child.stdin?.end()
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
        await exited
        clearTimeout(timer)
      })()
      return stopped
    },
  }
}

/** Asks the kernel for a free loopback port. */
export function freePort(host = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port assigned'))
      })
    })
  })
}

function findExecutable(name: string): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
