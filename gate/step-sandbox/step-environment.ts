import { dirname, join } from 'node:path'

/** Variables a step inherits from the gate's environment: locale and time zone, nothing that can hold a secret. */
const PASSED_THROUGH = ['LANG', 'LC_ALL', 'TZ'] as const

export interface StepEnvironmentOptions {
  /** The gate's own environment. */
  base: NodeJS.ProcessEnv
  stepDir: string
  home: string
  tmp: string
  /** For test steps: the Redis they use. */
  redisUrl?: string
  /** Outside the sandbox the gate's PATH is kept after the step's own tools (its directories exist there). */
  keepPath: boolean
}

/**
 * The whole environment of a step process, built from nothing: no signing key, no tokens, no cloud or CI
 * credentials, whatever the gate's own environment holds. Tools come from the step's `node_modules/.bin`, the
 * running node's directory and the system's.
 */
export function stepEnvironment(options: StepEnvironmentOptions): Record<string, string> {
  const path = [
    join(options.stepDir, 'node_modules', '.bin'),
    dirname(process.execPath),
    '/usr/local/bin',
    '/usr/bin',
    '/bin',
    ...(options.keepPath && options.base.PATH !== undefined ? [options.base.PATH] : []),
  ].join(':')
  const env: Record<string, string> = {
    PATH: path,
    HOME: options.home,
    TMPDIR: options.tmp,
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
  for (const name of PASSED_THROUGH) {
    const value = options.base[name]
    if (value !== undefined) env[name] = value
  }
  if (options.redisUrl !== undefined) env.REDIS_URL = options.redisUrl
  return env
}
