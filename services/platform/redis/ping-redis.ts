import { createConnection } from 'node:net'

/**
 * Sends one inline PING over a plain socket and resolves when `+PONG` comes back. Used to find a Redis
 * server without a client library's reconnect machinery getting in the way.
 */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port })
    let answer = ''
    const done = (err?: Error) => {
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve()
    }
    const timer = setTimeout(
      () => done(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)),
      timeoutMs,
    )
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
      if (answer.includes('\r\n')) {
        // A server with a password answers -NOAUTH: it is there, and the URL must carry the password.
        if (answer.startsWith('+PONG') || answer.startsWith('-NOAUTH')) done()
        else done(new Error(`unexpected answer to PING: ${answer.trim()}`))
      }
    })
    socket.on('error', (err) => done(err))
  })
}
