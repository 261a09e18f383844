import { dirname, resolve } from 'node:path'
import {
  DEFAULT_FLAGS_FILE,
  FLAGS_TOKEN_ENV,
  type FlagChange,
  type FlagInventory,
  FlagNotFoundError,
  FlagsErrorCode,
  FlagsHttpClient,
  FlagsHttpError,
  type FlagView,
  loadFlagsFile,
} from '../../services/flags/index.ts'
import {
  auditFlags,
  type FlagDebt,
  type FlagInventoryRow,
  findCodeReferences,
  flagInventory,
  isFlagLifecycle,
  loadFlagsForAudit,
  transitionFlag,
  writeFlagsFile,
} from '../../services/flags/lifecycle/index.ts'
import { ConfigInvalidError } from '../../services/platform/errors.ts'
import { FiredrillError } from '../../services/platform/firedrill-error.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import {
  flagsAuditDefinition,
  flagsLifecycleDefinition,
  flagsListDefinition,
  flagsSetDefinition,
} from '../definitions/flags-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand, subcommandName } from '../subcommand.ts'

export const FLAGS_URL_ENV = 'FIREDRILL_FLAGS_URL'
/** Where `firedrill serve` puts the flags service by default (api port 3000 + 100). */
export const DEFAULT_FLAGS_URL = 'http://127.0.0.1:3100'

/** The project the shop's seed flags file belongs to (`services/flags/flags.json` → the root). */
const SHOP_ROOT = resolve(dirname(DEFAULT_FLAGS_FILE), '..', '..')

const LIST_USAGE = usageText(flagsListDefinition)
const AUDIT_USAGE = usageText(flagsAuditDefinition)

/** `--at DATE`: the day ages and expiries are judged on (default: now). */
function atOption(value: string | undefined, usage: string): Date {
  if (value === undefined) return new Date()
  const at = new Date(value)
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--at must be a date like 2026-12-01 (got "${value}").\n${usage}`, usage)
  return at
}
const LIFECYCLE_USAGE = usageText(flagsLifecycleDefinition)
const SET_USAGE = usageText(flagsSetDefinition)

/** One `firedrill flags <name>` subcommand's code; its arguments come from its definition. */
const subcommands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  list: async (argv) => {
    const { values } = parseCommandArgs(argv, flagsListDefinition)
    const now = atOption(values.at, LIST_USAGE)
    if (values.file !== undefined) {
      if (values['flags-url'] !== undefined)
        throw new UsageError(
          `--file reads a flags file and --flags-url asks the service: pass one.\n${LIST_USAGE}`,
          LIST_USAGE,
        )
      const rows = flagInventory(await loadFlagsForAudit(values.file), { now })
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ file: values.file, flags: rows }, null, 2)}\n`
          : `${fileInventoryTable(rows).join('\n')}\n`,
      )
      return 0
    }
    const url = flagsUrl(values['flags-url'])
    const inventory = await call(url, () => new FlagsHttpClient({ baseUrl: url }).list())
    process.stdout.write(
      values.json ? `${JSON.stringify(inventory, null, 2)}\n` : `${inventoryTable(inventory).join('\n')}\n`,
    )
    return 0
  },
  audit: async (argv) => {
    const { values } = parseCommandArgs(argv, flagsAuditDefinition)
    const now = atOption(values.at, AUDIT_USAGE)
    const file = values.file ?? DEFAULT_FLAGS_FILE
    // The shop's own file is audited against the project it sits in; another file against --root or here.
    const root = values.root ?? (values.file === undefined ? SHOP_ROOT : process.cwd())
    const document = await loadFlagsForAudit(file)
    const codeRefs = await findCodeReferences(root, Object.keys(document.flags), { exclude: [file] })
    const debts = auditFlags(document, { now, codeRefs })
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ file, flags: Object.keys(document.flags).length, debts }, null, 2)}\n`
        : `${debtReport(file, Object.keys(document.flags).length, debts).join('\n')}\n`,
    )
    return debts.length > 0 ? 1 : 0
  },
  lifecycle: async (argv) => {
    const { values, positionals } = parseCommandArgs(argv, flagsLifecycleDefinition)
    const [key, to] = positionals as [string, string]
    if (!isFlagLifecycle(to) || to === 'active')
      throw new UsageError(
        `A flag moves on to completed or archived (got "${to}").\n${LIFECYCLE_USAGE}`,
        LIFECYCLE_USAGE,
      )
    const file = values.file!
    const document = await loadFlagsFile(file)
    const codeRefs =
      to === 'archived'
        ? await findCodeReferences(values.root ?? process.cwd(), [key], { exclude: [file] })
        : new Map<string, string[]>()
    const from = Object.hasOwn(document.flags, key) ? document.flags[key]?.metadata.lifecycle : undefined
    const changed = transitionFlag(document, key, to, { codeRefs })
    await writeFlagsFile(file, changed)
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ file, flag: key, from, to }, null, 2)}\n`
        : `${key}: ${from} → ${to}  (${file})\n`,
    )
    return 0
  },
  set: async (argv) => {
    const { values, positionals } = parseCommandArgs(argv, flagsSetDefinition)
    const [key, value] = positionals as [string, string]
    if (value !== 'on' && value !== 'off')
      throw new UsageError(`A flag is set on or off (got "${value}").\n${SET_USAGE}`, SET_USAGE)
    const reason = values.reason?.trim()
    if (reason === undefined || reason === '')
      throw new UsageError(
        `--reason must not be blank: say why the flag changes; it goes into the audit log.\n${SET_USAGE}`,
        SET_USAGE,
      )
    const actor = (values.actor ?? process.env.USER ?? '').trim() || 'cli'
    const token = flagsToken()
    const url = flagsUrl(values['flags-url'])
    const client = new FlagsHttpClient({ baseUrl: url, token, actor })
    const { flags } = await call(url, () => client.list())
    const flag = flags.find((f) => f.key === key)
    if (flag === undefined)
      throw new FlagNotFoundError(
        key,
        flags.map((f) => f.key),
      )
    const change = switchChange(flag, value)
    const answer = await call(url, () => client.set(key, change, reason, actor), key, flags)
    const { audit } = answer
    process.stdout.write(
      values.json
        ? `${JSON.stringify(answer, null, 2)}\n`
        : `${audit.flag}: ${audit.from} → ${audit.to}  (revision ${audit.revision}, by ${audit.actor} at ${audit.at}: ${audit.reason})\n`,
    )
    return 0
  },
}

const SUBCOMMANDS = [flagsListDefinition, flagsAuditDefinition, flagsLifecycleDefinition, flagsSetDefinition]

export const flagsCommand: Command = {
  name: 'flags',
  async run(argv) {
    const { definition, rest } = findSubcommand('flags', SUBCOMMANDS, argv)
    return subcommands[subcommandName(definition)]!(rest)
  },
}

/** `--flags-url`, else `FIREDRILL_FLAGS_URL`, else where `firedrill serve` listens by default. */
export function flagsUrl(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const [url, source] =
    given !== undefined
      ? [given, '--flags-url']
      : env[FLAGS_URL_ENV] !== undefined
        ? [env[FLAGS_URL_ENV], FLAGS_URL_ENV]
        : [DEFAULT_FLAGS_URL, 'the default']
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    const message = `The flags service URL from ${source} is not an http(s) URL (got "${url}"). Pass one like ${DEFAULT_FLAGS_URL}.`
    throw source === '--flags-url' ? new UsageError(message) : new ConfigInvalidError(message)
  }
  return url
}

/** The token flag changes carry: `FIREDRILL_FLAGS_TOKEN`, required, never guessed. */
function flagsToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = env[FLAGS_TOKEN_ENV]
  if (token === undefined || token.trim() === '' || /\s/.test(token))
    throw new ConfigInvalidError(
      `Changing a flag needs the flags service's token in ${FLAGS_TOKEN_ENV}${token === undefined ? '' : ' (it is set but blank or holds whitespace)'}. ` +
        '`firedrill serve` prints it at start (the `token` line) unless you chose one by setting ' +
        `${FLAGS_TOKEN_ENV} there; a drill writes it to its progress on stderr. Set ${FLAGS_TOKEN_ENV} to it and run again.`,
    )
  return token
}

/**
 * The change that turns `flag` on or off for everyone: the default variant serving true (or false), named
 * as the flag names it, and no targeting (a rollout in progress ends). A disabled flag is enabled, so the
 * switch takes effect.
 */
export function switchChange(flag: FlagView, value: 'on' | 'off'): FlagChange {
  const wanted = value === 'on'
  const entries = Object.entries(flag.variants)
  const variant = entries.find(([, v]) => v === wanted)?.[0] ?? entries.find(([name]) => name === value)?.[0]
  if (variant === undefined)
    throw new UsageError(
      `Flag "${flag.key}" has no ${value} variant (its variants: ${entries.map(([name]) => name).join(', ')}). ` +
        '`firedrill flags set` switches boolean flags; change this one through the flags API.',
    )
  return {
    defaultVariant: variant,
    targeting: null,
    ...(flag.state === 'DISABLED' ? { state: 'ENABLED' as const } : {}),
  }
}

/** Runs one request, turning the service's refusals into errors that say what to do. */
async function call<T>(
  url: string,
  request: () => Promise<T>,
  key?: string,
  known: readonly FlagView[] = [],
): Promise<T> {
  try {
    return await request()
  } catch (err) {
    if (!(err instanceof FlagsHttpError)) throw err
    if (err.status === 0) {
      const cause = err.cause as (Error & { cause?: NodeJS.ErrnoException }) | undefined
      const why = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? 'no answer'
      throw new FiredrillError(
        FlagsErrorCode.FLAGS_HTTP_FAILED,
        `The flags service at ${url} does not answer (${why}). Is \`firedrill serve\` (or a drill) running? ` +
          `Pass --flags-url (or set ${FLAGS_URL_ENV}) to point at it.`,
        { cause: err },
      )
    }
    if (err.status === 401)
      throw new ConfigInvalidError(
        `The flags service at ${url} refused the token in ${FLAGS_TOKEN_ENV}. ` +
          'Use the token that `firedrill serve` (or the drill) printed at start.',
      )
    if (err.status === 404 && key !== undefined)
      throw new FlagNotFoundError(
        key,
        known.map((f) => f.key),
      )
    if (err.status === 400) throw new UsageError(`The flags service refused the change: ${serviceSaid(err)}`)
    throw err
  }
}

function serviceSaid(err: FlagsHttpError): string {
  const body = err.body
  return body !== null && typeof body === 'object' && 'message' in body ? String(body.message) : err.message
}

/** The inventory as aligned columns: what each flag serves and its lifecycle data. */
export function inventoryTable(inventory: FlagInventory): string[] {
  const header = ['KEY', 'STATE', 'SERVES', 'OWNER', 'TYPE', 'EXPIRES', 'REMOVAL', 'LIFECYCLE']
  const text = (value: unknown) => (value === undefined ? '-' : String(value))
  const rows = inventory.flags.map((f) => [
    f.key,
    f.state === 'ENABLED' ? 'enabled' : 'disabled',
    f.summary,
    text(f.metadata.owner),
    text(f.metadata.type),
    text(f.metadata.expiresAt),
    text(f.metadata.removalTicket),
    text(f.metadata.lifecycle),
  ])
  if (rows.length === 0) return [`no flags (revision ${inventory.revision})`]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

const cell = (value: string | number | null) => (value === null ? '-' : String(value))

/** A flags file's inventory as aligned columns, with age, expiry and staleness at the time it runs. */
export function fileInventoryTable(rows: readonly FlagInventoryRow[]): string[] {
  if (rows.length === 0) return ['no flags']
  const header = ['KEY', 'STATE', 'OWNER', 'TYPE', 'AGE', 'EXPIRES', 'REMOVAL', 'LIFECYCLE', 'STALE']
  const table = rows.map((r) => [
    r.key,
    r.state === 'ENABLED' ? 'enabled' : 'disabled',
    cell(r.owner),
    cell(r.type),
    r.ageDays === null ? '-' : `${r.ageDays}d`,
    r.expiresAt === null ? '-' : `${r.expiresAt}${r.pastExpiry ? ' (past)' : ''}`,
    cell(r.removalTicket),
    cell(r.lifecycle),
    r.potentiallyStale ? 'potentially stale' : '-',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)))
  return [header, ...table].map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  )
}

/** The audit as lines: each flag in debt with each reason, or that there is none. */
export function debtReport(file: string, flags: number, debts: readonly FlagDebt[]): string[] {
  if (debts.length === 0) return [`${file}: ${flags} flag(s), no flag debt`]
  return [
    `${file}: ${debts.length} of ${flags} flag(s) carry flag debt`,
    ...debts.flatMap((d) => [`${d.key}`, ...d.reasons.map((r) => `  ${r.code}: ${r.detail}`)]),
  ]
}
