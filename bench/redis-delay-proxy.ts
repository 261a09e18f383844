import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'

export interface DelayProxy {
  /** The Redis URL that goes through the proxy. */
  url: string
  /** Every command sent through from now on waits this long before it reaches Redis (0: none). */
  setDelay(ms: number): void
  close(): Promise<void>
}

/**
 * A TCP proxy in front of Redis that can hold each client's bytes back for a while before passing them on (in
 * order): a real latency fault, the kind a slow network or a struggling Redis gives, for whatever connects
 * through it. Answers come back at once.
 */
export async function startRedisDelayProxy(redisUrl: string): Promise<DelayProxy> {
  const upstream = new URL(redisUrl)
  const host = upstream.hostname
  const port = Number(upstream.port || 6379)
  let delayMs = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const server = createConnection({ host, port })
    sockets.add(client)
    sockets.add(server)
    let releaseAt = 0
    client.on('data', (chunk: Buffer) => {
      if (delayMs <= 0 && releaseAt <= Date.now()) {
        server.write(chunk)
        return
      }
      // Later chunks never overtake earlier ones.
      releaseAt = Math.max(Date.now() + delayMs, releaseAt)
      setTimeout(() => server.write(chunk), releaseAt - Date.now())
    })
    server.pipe(client)
    const end = () => {
      client.destroy()
      server.destroy()
      sockets.delete(client)
      sockets.delete(server)
    }
    client.on('close', end)
    server.on('close', end)
    client.on('error', end)
    server.on('error', end)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the delay proxy has no port')
  const url = new URL(redisUrl)
  url.hostname = '127.0.0.1'
  url.port = String(address.port)
  return {
    url: url.toString(),
    setDelay(ms) {
      delayMs = ms
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
