import type { Redis } from 'ioredis'
import type { Clock } from '../../record/clock/clock.ts'
import { parseProxyFault } from './proxy-fault.ts'
import {
  NO_PROXY_FAULT,
  type ProxyFaultChange,
  type ProxyFaultState,
  type ProxyFaultStore,
} from './proxy-fault-store.ts'

/** The Redis key of the fault of the proxies named `name`. */
export function proxyFaultKey(prefix: string, name: string): string {
  return `${prefix}:fault-proxy:${name}`
}

// One atomic step: bump the revision and write the fault and its change together.
const WRITE = `
local revision = redis.call('HINCRBY', KEYS[1], 'revision', 1)
redis.call('HSET', KEYS[1], 'fault', ARGV[1], 'change', ARGV[2])
return revision`

/**
 * A proxy's fault in a Redis hash (`fault`, `change`, `revision`) under `<prefix>:fault-proxy:<name>`, so a drill,
 * `firedrill proxy fault set` and every proxy process share it. What it reads back is validated again: a value
 * written by hand that does not match the schema is an error, which a proxy treats as no fault.
 */
export class RedisProxyFaultStore implements ProxyFaultStore {
  readonly #redis: Redis
  readonly #key: string
  readonly #clock: Pick<Clock, 'now'>

  constructor(redis: Redis, prefix: string, name: string, clock: Pick<Clock, 'now'> = { now: Date.now }) {
    this.#redis = redis
    this.#key = proxyFaultKey(prefix, name)
    this.#clock = clock
  }

  async get(): Promise<ProxyFaultState> {
    const hash = await this.#redis.hgetall(this.#key)
    if (hash.revision === undefined) return NO_PROXY_FAULT
    const fault = hash.fault ? parseProxyFault(JSON.parse(hash.fault), `Redis key ${this.#key}`) : null
    const lastChange = hash.change ? (JSON.parse(hash.change) as ProxyFaultChange) : null
    return { fault, lastChange, revision: Number(hash.revision) }
  }

  set(fault: unknown, who: string, why: string): Promise<ProxyFaultState> {
    const valid = parseProxyFault(fault, 'the fault store')
    return this.#write(valid, { action: 'set', who, why, at: this.#clock.now() })
  }

  clear(reason: string, who = 'firedrill'): Promise<ProxyFaultState> {
    return this.#write(null, { action: 'clear', who, why: reason, at: this.#clock.now() })
  }

  async #write(fault: ProxyFaultState['fault'], change: ProxyFaultChange): Promise<ProxyFaultState> {
    const revision = await this.#redis.eval(
      WRITE,
      1,
      this.#key,
      fault === null ? '' : JSON.stringify(fault),
      JSON.stringify(change),
    )
    return { fault, lastChange: change, revision: Number(revision) }
  }
}
