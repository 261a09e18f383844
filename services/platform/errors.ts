import { FiredrillError, FiredrillInputError } from './firedrill-error.ts'

/** Error codes of the services part. A code is never reused. */
export const ServiceErrorCode = {
  REDIS_URL_INVALID: 'FIREDRILL_REDIS_URL_INVALID',
  REDIS_UNREACHABLE: 'FIREDRILL_REDIS_UNREACHABLE',
  REDIS_UNAVAILABLE: 'FIREDRILL_REDIS_UNAVAILABLE',
  CONFIG_INVALID: 'FIREDRILL_CONFIG_INVALID',
  FLAGS_FILE_INVALID: 'FIREDRILL_FLAGS_FILE_INVALID',
  PORT_IN_USE: 'FIREDRILL_PORT_IN_USE',
} as const

export class RedisUrlInvalidError extends FiredrillInputError {
  constructor(url: string, source: string) {
    super(
      ServiceErrorCode.REDIS_URL_INVALID,
      `The Redis URL from ${source} is not a redis:// URL (got "${url}"). Pass one like redis://127.0.0.1:6379.`,
    )
  }
}

export class RedisUnreachableError extends FiredrillInputError {
  constructor(url: string, source: string, cause: unknown) {
    super(
      ServiceErrorCode.REDIS_UNREACHABLE,
      `Redis at ${url} (from ${source}) does not answer PING. Start it, or leave ${source} unset so firedrill finds or starts one itself.`,
      { cause },
    )
  }
}

export class RedisUnavailableError extends FiredrillInputError {
  constructor(detail: string) {
    super(
      ServiceErrorCode.REDIS_UNAVAILABLE,
      `No Redis server could be found or started: nothing answers on 127.0.0.1:6379 and ${detail}. ` +
        'Install Redis (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`), ' +
        'or pass --redis redis://HOST:PORT (or set REDIS_URL).',
    )
  }
}

export class ConfigInvalidError extends FiredrillInputError {
  constructor(message: string) {
    super(ServiceErrorCode.CONFIG_INVALID, message)
  }
}

export class FlagsFileInvalidError extends FiredrillInputError {
  constructor(file: string, detail: string) {
    super(ServiceErrorCode.FLAGS_FILE_INVALID, `Failed to load flags from "${file}": ${detail}`)
  }
}

export class PortInUseError extends FiredrillError {
  constructor(host: string, port: number, cause: unknown) {
    super(
      ServiceErrorCode.PORT_IN_USE,
      `Port ${port} on ${host} is already in use. Stop what holds it, or pass --port with another starting port.`,
      { cause, exitCode: 2 },
    )
  }
}
