import type { Redis } from 'ioredis'
import { closeConnection, waitForReady } from '../platform/redis/redis-connection.ts'
import { applyFlagChange, describeFlag, type FlagChange } from './flag-change.ts'
import type { FlagDefinition, FlagsDocument } from './flag-definition.ts'
import type { FlagAuditEntry, FlagChangeResult, FlagStore, FlagsSnapshot } from './flag-store.ts'
import { FlagChangeInvalidError, FlagNotFoundError } from './flags-errors.ts'
import { type FlagKeys, flagKeys } from './flags-keys.ts'

/**
 * Compare-and-set of one definition: if it still reads as the caller saw it, write the new one, bump the
 * revision, log the audit entry (the revision is spliced in front) and announce the change, the new definition
 * with it (so a listener can apply it without reading Redis back). Returns the new
 * revision, or -1 when someone else changed the flag first (the caller reads again and retries).
 */
const SET_FLAG = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local revision = redis.call('INCR', KEYS[2])
redis.call('LPUSH', KEYS[3], '{"revision":' .. revision .. ',' .. string.sub(ARGV[4], 2))
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
redis.call('PUBLISH', ARGV[6], '{"revision":' .. revision .. ',"flagsChanged":' .. ARGV[7] .. ',"definitions":{' .. cjson.encode(ARGV[1]) .. ':' .. ARGV[3] .. '}}')
return revision
`

/** Writes every flag at once, only into an empty store, then bumps the revision and announces it. */
const SEED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
local revision = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[1], '{"revision":' .. revision .. ',"flagsChanged":' .. ARGV[2] .. '}')
return revision
`

/**
 * Like SEED, and logs one audit entry per flag written back (ARGV[3] holds them, a JSON array of strings,
 * each an entry without its revision). Only into an empty store.
 */
const RESTORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
local revision = redis.call('INCR', KEYS[2])
for _, entry in ipairs(cjson.decode(ARGV[3])) do
  redis.call('LPUSH', KEYS[3], '{"revision":' .. revision .. ',' .. string.sub(entry, 2))
end
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
redis.call('PUBLISH', ARGV[1], '{"revision":' .. revision .. ',"flagsChanged":' .. ARGV[2] .. '}')
return revision
`

const MAX_CAS_ATTEMPTS = 25

export interface RedisFlagStoreOptions {
  /** How many audit entries the capped list keeps. @defaultValue 1000 */
  auditCap?: number
  /** Where the audit log's timestamps come from. @defaultValue () => new Date() */
  now?: () => Date
  /** Quit the connection on `close()` (set when the store opened it). @defaultValue false */
  ownsConnection?: boolean
  /** How long the first command waits for a connection that has never been up. @defaultValue 2000 */
  connectTimeoutMs?: number
}

export class RedisFlagStore implements FlagStore {
  readonly #redis: Redis
  readonly #keys: FlagKeys
  readonly #auditCap: number
  readonly #now: () => Date
  readonly #ownsConnection: boolean
  readonly #connectTimeoutMs: number
  #connected: Promise<void> | undefined

  constructor(redis: Redis, prefix: string, options: RedisFlagStoreOptions = {}) {
    this.#redis = redis
    this.#keys = flagKeys(prefix)
    this.#auditCap = options.auditCap ?? 1000
    this.#now = options.now ?? (() => new Date())
    this.#ownsConnection = options.ownsConnection ?? false
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2000
  }

  /**
   * The connection, once it has been up: the first commands wait for a fresh connection to come up (a
   * fail-fast connection refuses commands before that); after that, an outage fails commands at once.
   */
  async #db(): Promise<Redis> {
    if (this.#redis.status === 'ready') this.#connected ??= Promise.resolve()
    else {
      this.#connected ??= waitForReady(this.#redis, this.#connectTimeoutMs).catch(() => {})
      await this.#connected
    }
    return this.#redis
  }

  async seedIfEmpty(document: FlagsDocument): Promise<boolean> {
    const entries = Object.entries(document.flags)
    if (entries.length === 0) return false
    const fields = entries.flatMap(([key, definition]) => [key, JSON.stringify(definition)])
    const revision = (await (
      await this.#db()
    ).eval(
      SEED,
      2,
      this.#keys.definitions,
      this.#keys.revision,
      this.#keys.changes,
      JSON.stringify(entries.map(([key]) => key)),
      ...fields,
    )) as number
    return revision > 0
  }

  async restoreIfEmpty(
    flags: Record<string, FlagDefinition>,
    actor: string,
    reason: string,
  ): Promise<boolean> {
    const entries = Object.entries(flags)
    if (entries.length === 0) return false
    const at = this.#now().toISOString()
    const audit = entries.map(([flag, definition]) =>
      JSON.stringify({
        flag,
        from: 'missing',
        to: describeFlag(definition),
        actor,
        reason,
        at,
        change: {},
      } satisfies Omit<FlagAuditEntry, 'revision'>),
    )
    const revision = (await (
      await this.#db()
    ).eval(
      RESTORE,
      3,
      this.#keys.definitions,
      this.#keys.revision,
      this.#keys.audit,
      this.#keys.changes,
      JSON.stringify(entries.map(([key]) => key)),
      JSON.stringify(audit),
      this.#auditCap,
      ...entries.flatMap(([key, definition]) => [key, JSON.stringify(definition)]),
    )) as number
    return revision > 0
  }

  async snapshot(): Promise<FlagsSnapshot> {
    const results = await (await this.#db())
      .multi()
      .get(this.#keys.revision)
      .hgetall(this.#keys.definitions)
      .exec()
    if (results === null) throw new Error('the snapshot transaction was aborted')
    const [[revisionErr, revision] = [], [hashErr, hash] = []] = results
    if (revisionErr) throw revisionErr
    if (hashErr) throw hashErr
    // Sorted by key, so the inventory and bulk evaluation list flags in one order, whatever Redis hands back.
    const flags: Record<string, FlagDefinition> = {}
    const entries = Object.entries(hash as Record<string, string>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )
    for (const [key, json] of entries) flags[key] = parseDefinition(key, json)
    return { revision: Number(revision ?? 0), flags }
  }

  async revision(): Promise<number> {
    return Number((await (await this.#db()).get(this.#keys.revision)) ?? 0)
  }

  async get(flag: string): Promise<FlagDefinition | undefined> {
    const json = await (await this.#db()).hget(this.#keys.definitions, flag)
    return json === null ? undefined : parseDefinition(flag, json)
  }

  async setFlag(flag: string, change: FlagChange, actor: string, reason: string): Promise<FlagChangeResult> {
    if (reason.trim() === '') throw new FlagChangeInvalidError(flag, 'reason', 'must say why (got nothing)')
    if (actor.trim() === '')
      throw new FlagChangeInvalidError(flag, 'actor', 'must name who changes it (got nothing)')
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const currentJson = await (await this.#db()).hget(this.#keys.definitions, flag)
      if (currentJson === null)
        throw new FlagNotFoundError(flag, await (await this.#db()).hkeys(this.#keys.definitions))
      const current = parseDefinition(flag, currentJson)
      const definition = applyFlagChange(flag, current, change)
      const entry: Omit<FlagAuditEntry, 'revision'> = {
        flag,
        from: describeFlag(current),
        to: describeFlag(definition),
        actor,
        reason,
        at: this.#now().toISOString(),
        change,
      }
      const revision = (await (
        await this.#db()
      ).eval(
        SET_FLAG,
        3,
        this.#keys.definitions,
        this.#keys.revision,
        this.#keys.audit,
        flag,
        currentJson,
        JSON.stringify(definition),
        JSON.stringify(entry),
        this.#auditCap,
        this.#keys.changes,
        JSON.stringify([flag]),
      )) as number
      if (revision > 0) return { revision, definition, audit: { revision, ...entry } }
    }
    throw new Error(`flag "${flag}" kept changing under us: gave up after ${MAX_CAS_ATTEMPTS} attempts`)
  }

  async audit(limit = 50): Promise<FlagAuditEntry[]> {
    if (limit <= 0) return []
    const rows = await (await this.#db()).lrange(this.#keys.audit, 0, limit - 1)
    return rows.map((row) => JSON.parse(row) as FlagAuditEntry)
  }

  async ping(): Promise<void> {
    await (await this.#db()).ping()
  }

  async close(): Promise<void> {
    if (!this.#ownsConnection) return
    await closeConnection(this.#redis)
  }
}

function parseDefinition(flag: string, json: string): FlagDefinition {
  try {
    return JSON.parse(json) as FlagDefinition
  } catch (err) {
    throw new Error(`the stored definition of flag "${flag}" is not JSON`, { cause: err })
  }
}
