import { Value } from '@sinclair/typebox/value'
import { delay, HttpResponse, http } from 'msw'
import {
  type ChargeList,
  ChargeRequestSchema,
  DECLINED_CARD_TOKEN,
  type ProviderErrorBody,
} from './charge.ts'
import { countChargeAttempt, findChargeByIdempotencyKey, getCharge, recordCharge } from './charge-ledger.ts'
import { decideFault, type FaultDecision } from './fault-decision.ts'
import { RedisFaultModeStore } from './fault-mode-store.ts'
import { accountForAuthorization, type PaymentsAccount } from './payments-accounts.ts'
import { CAPACITY_WINDOW_MS, RedisProviderCapacity } from './provider-capacity.ts'

export const PAYMENTS_BASE_URL = 'https://payments.example'

function providerError(status: number, type: string, code: string, headers: Record<string, string> = {}) {
  const body: ProviderErrorBody = { error: { type, code } }
  return HttpResponse.json(body, { status, headers })
}

const unauthorized = () => providerError(401, 'authentication_error', 'invalid_api_key')

/** Reads the fault mode and applies what strikes before the request is served; returns the refusal, if any. */
async function applyFault(account: PaymentsAccount, sequence: number | undefined) {
  let decision: FaultDecision
  try {
    decision = decideFault(await new RedisFaultModeStore(account.redis, account.prefix).get(), sequence)
  } catch {
    return { decision: undefined, refusal: providerError(500, 'api_error', 'fault_mode_unreadable') }
  }
  if (decision.delayMs > 0) await delay(decision.delayMs)
  const fail = decision.failWith
  if (fail === undefined) return { decision, refusal: undefined }
  if (fail.status === 429) {
    const headers = { 'Retry-After': String(fail.retryAfterSeconds ?? 1) }
    return { decision, refusal: providerError(429, 'rate_limit_error', 'rate_limited', headers) }
  }
  const code = fail.status === 503 ? 'service_unavailable' : 'internal_error'
  return { decision, refusal: providerError(fail.status, 'api_error', code) }
}

/**
 * Counts the charge attempt against the account's capacity; the refusal when it is over (429, Retry-After: the
 * capacity's window), if any.
 */
async function overCapacity(account: PaymentsAccount, sequence: number) {
  let served: boolean
  try {
    served = await new RedisProviderCapacity(account.redis, account.prefix).admit(sequence)
  } catch {
    return providerError(500, 'api_error', 'capacity_unreadable')
  }
  if (served) return undefined
  const headers = { 'Retry-After': String(Math.ceil(CAPACITY_WINDOW_MS / 1000)) }
  return providerError(429, 'rate_limit_error', 'over_capacity', headers)
}

/** The provider's API, as MSW request handlers. Every request is scoped to the account of its api key. */
export const paymentsHandlers = [
  http.post(`${PAYMENTS_BASE_URL}/v1/charges`, async ({ request }) => {
    const account = accountForAuthorization(request.headers.get('authorization'))
    if (account === undefined) return unauthorized()
    const idempotencyKey = request.headers.get('idempotency-key')
    if (!idempotencyKey) return providerError(400, 'invalid_request_error', 'idempotency_key_missing')
    const body: unknown = await request.json().catch(() => undefined)
    if (!Value.Check(ChargeRequestSchema, body)) {
      return providerError(400, 'invalid_request_error', 'parameter_invalid')
    }

    const sequence = await countChargeAttempt(account.redis, account.prefix)
    const shed = await overCapacity(account, sequence)
    if (shed !== undefined) return shed
    const { decision, refusal } = await applyFault(account, sequence)
    if (refusal !== undefined) return refusal
    if (body.cardToken === DECLINED_CARD_TOKEN) return providerError(402, 'card_error', 'card_declined')
    // A caller that has gone (timed out, or its process died) before the charge is recorded charges nothing,
    // as a provider drops a request whose connection closed before it committed. Once recorded, the charge
    // stands whether or not its answer arrives.
    if (request.signal.aborted) return providerError(408, 'api_error', 'request_abandoned')

    const { charge, replayed } = await recordCharge(
      account.redis,
      account.prefix,
      body,
      idempotencyKey,
      new Date(),
    )
    const sameRequest =
      charge.orderId === body.orderId &&
      charge.amountCents === body.amountCents &&
      charge.currency === body.currency
    if (!sameRequest) return providerError(400, 'idempotency_error', 'idempotency_key_reused')
    if (decision !== undefined && decision.delayAfterChargeMs > 0) await delay(decision.delayAfterChargeMs)
    return HttpResponse.json(charge, {
      status: 200,
      headers: replayed ? { 'Idempotent-Replayed': 'true' } : {},
    })
  }),

  /** Looks a charge up by the idempotency key it was made with (an empty list when that key charged nothing). */
  http.get(`${PAYMENTS_BASE_URL}/v1/charges`, async ({ request }) => {
    const account = accountForAuthorization(request.headers.get('authorization'))
    if (account === undefined) return unauthorized()
    const idempotencyKey = new URL(request.url).searchParams.get('idempotency_key')
    if (!idempotencyKey) return providerError(400, 'invalid_request_error', 'idempotency_key_missing')
    const { refusal } = await applyFault(account, undefined)
    if (refusal !== undefined) return refusal
    const charge = await findChargeByIdempotencyKey(account.redis, account.prefix, idempotencyKey)
    const list: ChargeList = { object: 'list', data: charge === undefined ? [] : [charge] }
    return HttpResponse.json(list)
  }),

  http.get(`${PAYMENTS_BASE_URL}/v1/charges/:id`, async ({ request, params }) => {
    const account = accountForAuthorization(request.headers.get('authorization'))
    if (account === undefined) return unauthorized()
    const { refusal } = await applyFault(account, undefined)
    if (refusal !== undefined) return refusal
    const charge = await getCharge(account.redis, account.prefix, String(params.id))
    return charge === undefined
      ? providerError(404, 'invalid_request_error', 'resource_missing')
      : HttpResponse.json(charge)
  }),
]
