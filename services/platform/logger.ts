import pino, { type Logger } from 'pino'

export type { Logger }

/** Structured logs to stderr (stdout is for data). `silent` in tests unless LOG_LEVEL says otherwise. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination(2))
}
