import pino, { type Logger } from 'pino'

/**
 * A shop part's logs: pino to stderr, named by role and instance. A stderr that breaks (a closed terminal, a
 * parent gone with its end of the pipe) loses the log lines, never the part's orderly stop.
 */
export function createPartLogger(role: string, instance: string, level: string): Logger {
  const destination = pino.destination({ fd: 2, sync: true })
  destination.on('error', () => {})
  return pino({ name: 'shop', level, base: { role, instance, pid: process.pid } }, destination)
}
