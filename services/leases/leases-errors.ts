import { FiredrillError } from '../platform/firedrill-error.ts'

/** Error codes of the leases part. A code is never reused. */
export const LeasesErrorCode = {
  /** The holder's lease lapsed (it could not renew it in time): its changes may already be put back. */
  LEASE_LOST: 'FIREDRILL_LEASE_LOST',
  /** A change was registered under a lease that does not exist (any more). */
  LEASE_NOT_HELD: 'FIREDRILL_LEASE_NOT_HELD',
} as const

export class LeaseLostError extends FiredrillError {
  readonly holder: string

  constructor(holder: string, detail: string) {
    super(
      LeasesErrorCode.LEASE_LOST,
      `The lease of ${holder} was lost (${detail}): the shop puts what it guarded back to its safe value by itself.`,
    )
    this.holder = holder
  }
}

export class LeaseNotHeldError extends FiredrillError {
  constructor(holder: string, resource: string) {
    super(
      LeasesErrorCode.LEASE_NOT_HELD,
      `Cannot register a change to ${resource}: the lease of ${holder} is not held (it expired or was ended).`,
    )
  }
}
