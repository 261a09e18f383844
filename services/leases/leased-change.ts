/**
 * A change to shared state made under a lease: while the holder's lease lives, the change stands; once it
 * lapses, any part of the shop that watches the leases puts `safe` back and drops the entry.
 */
export interface LeasedChange {
  /** The lease's holder id (a run id, say). */
  holder: string
  /** The holder in words, for the audit log: `run 20261201T…-bad-pricing-1a2b3c (pid 4242 on host)`. */
  holderLabel: string
  /** What was changed: `flag:checkout.accepting-orders`, `payments-fault`, `proxy-fault:payments`. */
  resource: string
  /** Which reverter puts it back: `flag`, `payments-fault`, … */
  kind: string
  /** The thing inside the kind: a flag key; empty when the kind has one thing only. */
  target: string
  /** The safe value, in the kind's own shape (a flag change for flags). */
  safe: unknown
  /** When the holder registered it (ISO). */
  at: string
  /** Set while a watchdog reverts it: who, and when (ms since the epoch, Redis time). */
  claimedBy?: string
  claimedAt?: number
}

/** One change a watchdog put back, and why. */
export interface RevertedChange {
  change: LeasedChange
  reason: string
}

/** Resource names are `kind:target`, or the kind alone. */
export function leasedResource(kind: string, target = ''): string {
  return target === '' ? kind : `${kind}:${target}`
}
