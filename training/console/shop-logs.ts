import pino, { type Logger } from 'pino'
import type { TraineeLogLine } from './trainee-view-schema.ts'

/** How many of the shop's latest lines the console keeps, and how many warnings and errors besides. */
const KEPT = 500
const KEPT_WARNINGS = 200
/** pino's number for `warn`. */
const WARN = 40

const LEVELS: Record<number, TraineeLogLine['level']> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}

/** The fields of a shop's log line an on-call engineer reads, as `key=value`; everything else stays out. */
const FIELDS: readonly [string, (line: Record<string, unknown>) => unknown][] = [
  ['method', (l) => (l.req as { method?: unknown } | undefined)?.method],
  ['url', (l) => (l.req as { url?: unknown } | undefined)?.url],
  ['status', (l) => (l.res as { statusCode?: unknown } | undefined)?.statusCode],
  ['ms', (l) => (typeof l.responseTime === 'number' ? Math.round(l.responseTime) : undefined)],
  ['reqId', (l) => l.reqId],
  ['orderId', (l) => l.orderId],
  ['attempts', (l) => l.attempts],
  ['reason', (l) => l.reason],
  ['error', (l) => errorWords(l.err)],
]

function errorWords(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { type, message } = err as { type?: unknown; message?: unknown }
  const words = [type, message].filter((x) => typeof x === 'string' && x !== '').join(': ')
  // The first line only: a stack trace is for the code's authors, and it names files on this machine.
  return words.split('\n')[0]?.slice(0, 300) || undefined
}

function shown(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/**
 * The shop's structured logs as the console shows them: the lines the shop's processes write (told to `add`), or
 * those of a pino logger handed to a shop in this process, land in a ring of the latest few hundred (never on a
 * disk or a terminal), read back in the shape the trainee's page shows.
 */
export class ShopLogs {
  readonly logger: Logger
  #lines: string[] = []
  /** Warnings and worse, kept longer: a burst of requests must not push the errors out of sight. */
  #warnings: string[] = []

  /** @param level the lowest level kept. @defaultValue 'info' */
  constructor(level: pino.LevelWithSilent = 'info') {
    this.logger = pino({ level, base: null }, { write: (line: string) => this.add(line) })
  }

  /** Keeps one line of pino's JSON, as a shop process wrote it. */
  readonly add = (line: string): void => {
    this.#lines.push(line)
    if (this.#lines.length > KEPT * 2) this.#lines = this.#lines.slice(-KEPT)
    // pino writes `{"level":<n>,` first: the level is read without parsing the line.
    if (Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 0) >= WARN) {
      this.#warnings.push(line)
      if (this.#warnings.length > KEPT_WARNINGS * 2) this.#warnings = this.#warnings.slice(-KEPT_WARNINGS)
    }
  }

  /** The latest `count` lines and the latest `warnings` warnings and errors, oldest first. */
  recent(count: number, warnings: number): TraineeLogLine[] {
    const latest = this.#lines.slice(-count)
    const inLatest = new Set(latest)
    const older = this.#warnings.slice(-warnings).filter((raw) => !inLatest.has(raw))
    return [...older, ...latest].flatMap((raw) => {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(raw) as Record<string, unknown>
      } catch {
        return []
      }
      // In-process shops name the service; a shop process names its role.
      const source = [line.service ?? line.role, line.instance].filter((x) => typeof x === 'string').join(' ')
      const fields = FIELDS.map(([key, read]) => [key, shown(read(line))] as const)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')
      return [
        {
          at: new Date(typeof line.time === 'number' ? line.time : Date.now()).toISOString(),
          level: LEVELS[line.level as number] ?? 'info',
          source: source || 'shop',
          message: typeof line.msg === 'string' ? line.msg : '',
          fields,
        },
      ]
    })
  }
}
