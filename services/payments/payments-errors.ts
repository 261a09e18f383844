import { FiredrillError, FiredrillInputError } from '../platform/firedrill-error.ts'

/** Error codes of the virtualised payment provider and its client. A code is never reused. */
export const PaymentsErrorCode = {
  FAULT_MODE_INVALID: 'FIREDRILL_PAYMENTS_FAULT_MODE_INVALID',
  ACCOUNT_CONFLICT: 'FIREDRILL_PAYMENTS_ACCOUNT_CONFLICT',
  PROVIDER_RETRYABLE: 'FIREDRILL_PAYMENTS_PROVIDER_RETRYABLE',
  CARD_DECLINED: 'FIREDRILL_PAYMENTS_CARD_DECLINED',
  REQUEST_REJECTED: 'FIREDRILL_PAYMENTS_REQUEST_REJECTED',
  CAPACITY_INVALID: 'FIREDRILL_PAYMENTS_CAPACITY_INVALID',
} as const

export type PaymentsErrorCode = (typeof PaymentsErrorCode)[keyof typeof PaymentsErrorCode]

/** A fault mode that does not match the schema, given by a user or found in Redis. */
export class FaultModeInvalidError extends FiredrillInputError {
  constructor(source: string, detail: string) {
    super(
      PaymentsErrorCode.FAULT_MODE_INVALID,
      `Fault mode from ${source} is invalid: ${detail}. ` +
        "Use one of {mode:'none'}, {mode:'latency',ms}, {mode:'error-rate',percent}, {mode:'outage'}, " +
        "{mode:'rate-limit',retryAfterSeconds,percent?}, {mode:'timeout-after-charge',ms}.",
    )
  }
}

/** A provider capacity that is not a positive whole number of charge attempts a second. */
export class ProviderCapacityInvalidError extends FiredrillInputError {
  constructor(source: string, got: unknown) {
    super(
      PaymentsErrorCode.CAPACITY_INVALID,
      `Provider capacity from ${source} is invalid: it must be a whole number of charge attempts a second, 1 or more (got ${JSON.stringify(got)}). Give a positive integer, or leave the capacity unset for no limit.`,
    )
  }
}

/** One api key may only ever point at one shop (one Redis prefix) in a process. */
export class PaymentsAccountConflictError extends FiredrillError {
  constructor(prefix: string, existingPrefix: string) {
    super(
      PaymentsErrorCode.ACCOUNT_CONFLICT,
      `Cannot register a payments account for prefix "${prefix}": its api key already belongs to prefix ` +
        `"${existingPrefix}" in this process. Give each shop its own api key.`,
    )
  }
}

export interface RetryableDetails {
  /** HTTP status, or undefined when no answer came back (network error, timeout). */
  status?: number
  /** From the provider's Retry-After header, when it sent one. */
  retryAfterMs?: number
  cause?: unknown
}

/** The provider failed in a way that a retry with the same idempotency key may fix: 5xx, 429, no answer. */
export class ProviderRetryableError extends FiredrillError {
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(what: string, details: RetryableDetails) {
    const status = details.status === undefined ? 'no answer' : `HTTP ${details.status}`
    const after = details.retryAfterMs === undefined ? '' : ` (Retry-After ${details.retryAfterMs} ms)`
    super(
      PaymentsErrorCode.PROVIDER_RETRYABLE,
      `Payment provider failed ${what}: ${status}${after}. Retry with the same idempotency key.`,
      { cause: details.cause },
    )
    this.name = 'ProviderRetryableError'
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
  }
}

/** The card was declined: retrying cannot help, the order must fail. */
export class CardDeclinedError extends FiredrillError {
  readonly declineCode: string

  constructor(orderId: string, declineCode: string) {
    super(
      PaymentsErrorCode.CARD_DECLINED,
      `The card for order ${orderId} was declined (${declineCode}). Retrying will not help; ask for another card.`,
    )
    this.name = 'CardDeclinedError'
    this.declineCode = declineCode
  }
}

/** The provider refused the request itself (400, 401, 404 …): a bug or a misconfiguration, not a transient fault. */
export class ProviderRejectedError extends FiredrillError {
  readonly status: number
  readonly providerCode: string

  constructor(what: string, status: number, providerCode: string) {
    super(
      PaymentsErrorCode.REQUEST_REJECTED,
      `Payment provider rejected ${what}: HTTP ${status} (${providerCode}). Check the api key and the request.`,
    )
    this.name = 'ProviderRejectedError'
    this.status = status
    this.providerCode = providerCode
  }
}
