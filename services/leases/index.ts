/** The leases part's public entry point: the dead man's switch that drills hold and the shop watches. */

export { LeaseHolder, type LeaseHolderOptions } from './lease-holder.ts'
export { type LeaseKeys, leaseKeys } from './lease-keys.ts'
export {
  type LeaseWatchdog,
  type LeaseWatchdogOptions,
  type Reverter,
  readLeasedChanges,
  revertExpiredLeases,
  startLeaseWatchdog,
} from './lease-watchdog.ts'
export { type LeasedChange, leasedResource, type RevertedChange } from './leased-change.ts'
export * from './leases-errors.ts'
