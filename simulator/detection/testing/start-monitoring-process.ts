import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface MonitoringProcess {
  /** `http://127.0.0.1:<port>` */
  url: string
  dir: string
  /** What the process wrote to stderr so far (its log). */
  log(): string
  stop(): Promise<void>
}

/** A free loopback port (the kernel's pick, released for the child to take). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * Starts a Prometheus-family binary (Debian's `prometheus`, `prometheus-alertmanager`) with files written into
 * a temporary directory, on a free loopback port, and waits (bounded) until `/-/ready` answers 200. Stopping
 * sends SIGTERM, then SIGKILL after 5 s, and removes the directory.
 */
export async function startMonitoringProcess(options: {
  command: string
  files: Record<string, string>
  args(dir: string, port: number): string[]
  readyTimeoutMs?: number
}): Promise<MonitoringProcess> {
  const dir = await mkdtemp(join(tmpdir(), `firedrill-${options.command}-`))
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(dir, name), text)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(options.command, options.args(dir, port), {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000)
  })
  const exited = once(child, 'exit')
  let spawnError: Error | undefined
  child.on('error', (err) => {
    spawnError = err
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited.catch(() => undefined)
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000)
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null) {
      await stop()
      throw new Error(
        `${options.command} did not start (${spawnError?.message ?? `exit ${child.exitCode}`}); is it installed (apt-get install ${options.command})?\n${log.slice(-2000)}`,
      )
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false)
    if (ready) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${options.command} was not ready within the time allowed.\n${log.slice(-2000)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, dir, log: () => log, stop }
}
