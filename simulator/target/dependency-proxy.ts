import type { LoadedTarget } from '../../record/target/load-target.ts'
import type { TargetDependency } from '../../record/target/target-schema.ts'
import {
  closeConnection,
  createRedisConnection,
  waitForReady,
} from '../../services/platform/redis/redis-connection.ts'
import type { ProxyFault } from '../fault-proxy/proxy-fault.ts'
import type { ProxyFaultState } from '../fault-proxy/proxy-fault-store.ts'
import { proxyFaultKey, RedisProxyFaultStore } from '../fault-proxy/redis-proxy-fault-store.ts'

/** Where firedrill finds Redis when nothing names one: the same place `firedrill proxy serve` looks first. */
const LOCAL_REDIS = 'redis://127.0.0.1:6379'
/** How long a fault change waits for the proxy's Redis to be reachable. */
const READY_TIMEOUT_MS = 3000

/** A target's dependency behind firedrill's fault proxy, with the proxy's name and Redis resolved. */
export interface DependencyProxy {
  readonly dependency: TargetDependency
  /** The proxy's base URL, without a trailing slash. */
  readonly url: string
  /** The proxy's `--name`, `--prefix` and `--redis`. */
  readonly name: string
  readonly prefix: string
  readonly redis: string
  /** The fault's Redis key, as `firedrill proxy serve` prints it. */
  readonly key: string
}

/** The fault of a dependency's proxy, read and changed through the store `firedrill proxy fault` uses. */
export interface DependencyFaultControl extends DependencyProxy {
  /** For people: `rates (proxy http://127.0.0.1:9091, firedrill:fault-proxy:rates)`. */
  readonly where: string
  state(): Promise<ProxyFaultState>
  set(fault: ProxyFault, who: string, why: string): Promise<ProxyFaultState>
  clear(why: string, who: string): Promise<ProxyFaultState>
  close(): Promise<void>
}

/** The target's dependency named `name` (its only one when no name is given); undefined when there is none. */
export function findDependency(loaded: LoadedTarget, name?: string): TargetDependency | undefined {
  const dependencies = loaded.target.dependencies ?? []
  return name === undefined ? dependencies[0] : dependencies.find((d) => d.name === name)
}

/** The dependency's proxy as the target file names it; Redis from `env.REDIS_URL` when the file names none. */
export function dependencyProxy(
  dependency: TargetDependency,
  env: NodeJS.ProcessEnv = process.env,
): DependencyProxy {
  const name = dependency.proxy.name ?? dependency.name
  const { prefix } = dependency.proxy
  const redis = dependency.proxy.redis ?? (env.REDIS_URL || LOCAL_REDIS)
  return {
    dependency,
    url: dependency.proxy.url.replace(/\/+$/, ''),
    name,
    prefix,
    redis,
    key: proxyFaultKey(prefix, name),
  }
}

/**
 * The fault control of a dependency's proxy: a connection of its own to the proxy's Redis (commands fail fast
 * while it is down, so a caller can retry or report), and the same store the proxy and `firedrill proxy fault`
 * read and write, so every change keeps who made it and why.
 */
export function dependencyFaultControl(
  dependency: TargetDependency,
  env: NodeJS.ProcessEnv = process.env,
): DependencyFaultControl {
  const proxy = dependencyProxy(dependency, env)
  const connection = createRedisConnection(proxy.redis, 'command')
  const store = new RedisProxyFaultStore(connection, proxy.prefix, proxy.name)
  // Commands fail fast while the connection is down; each waits (bounded) for it to be up first.
  const ready = () => waitForReady(connection, READY_TIMEOUT_MS)
  return {
    ...proxy,
    where: `${dependency.name} (proxy ${proxy.url}, ${proxy.key})`,
    state: async () => {
      await ready()
      return store.get()
    },
    set: async (fault, who, why) => {
      await ready()
      return store.set(fault, who, why)
    },
    clear: async (why, who) => {
      await ready()
      return store.clear(why, who)
    },
    close: () => closeConnection(connection),
  }
}
