/**
 * The Redis keys of the leases under one shop's prefix. A lease is a string with a TTL that its holder renews;
 * the leased changes are a hash beside it, so every part of the shop that shares the prefix can find them.
 */
export function leaseKeys(prefix: string) {
  const holderPrefix = `${prefix}:leases:holder:`
  return {
    /** String with a PX TTL: the holder's lease, renewed by its heartbeat. */
    lease: (holder: string) => `${holderPrefix}${holder}`,
    /** What every lease key starts with (the watchdog's script builds a holder's key from it). */
    holderPrefix,
    /** Hash: resource (`flag:KEY`, `payments-fault`, …) → the leased change, as JSON. */
    changes: `${prefix}:leases:changes`,
  } as const
}

export type LeaseKeys = ReturnType<typeof leaseKeys>
