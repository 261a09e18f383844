import pino, { type Logger } from 'pino'
import { ConfigInvalidError } from './errors.ts'

export type { Logger }

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Structured logs to stderr (stdout is for data). The level comes from LOG_LEVEL; a bad value is an error. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  if (!LEVELS.includes(level)) {
    throw new ConfigInvalidError(`LOG_LEVEL must be one of ${LEVELS.join(', ')} (got "${level}").`)
  }
  return pino({ name, level }, pino.destination(2))
}
