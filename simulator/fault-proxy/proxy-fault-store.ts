import type { ProxyFault } from './proxy-fault.ts'

/** Who changed a proxy's fault, why, and when (epoch ms), as its store keeps it. */
export interface ProxyFaultChange {
  action: 'set' | 'clear'
  who: string
  why: string
  at: number
}

/** A proxy's fault as every proxy process reads it: the fault (null when cleared) and its last change. */
export interface ProxyFaultState {
  fault: ProxyFault | null
  lastChange: ProxyFaultChange | null
  /** Goes up by one with every change; 0 before the first. */
  revision: number
}

export const NO_PROXY_FAULT: ProxyFaultState = Object.freeze({ fault: null, lastChange: null, revision: 0 })

/**
 * Where a proxy's fault lives, shared by every proxy process in front of the same dependency. Everything that
 * turns a fault on can turn it off through `clear(reason, who)`: a drill's lease, when it lapses, calls it with
 * its own reason, and the last change then says so.
 */
export interface ProxyFaultStore {
  get(): Promise<ProxyFaultState>
  set(fault: ProxyFault, who: string, why: string): Promise<ProxyFaultState>
  clear(reason: string, who?: string): Promise<ProxyFaultState>
}
