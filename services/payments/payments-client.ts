import { Value } from '@sinclair/typebox/value'
import {
  type Charge,
  ChargeListSchema,
  type ChargeRequest,
  ChargeSchema,
  ProviderErrorSchema,
} from './charge.ts'
import { CardDeclinedError, ProviderRejectedError, ProviderRetryableError } from './payments-errors.ts'
import { PAYMENTS_BASE_URL } from './payments-handlers.ts'
import { parseRetryAfter } from './retry-after.ts'

export interface PaymentsClientOptions {
  apiKey: string
  /** @defaultValue 'https://payments.example' */
  baseUrl?: string
  /** Give up on a request after this long; that counts as no answer (retryable). @defaultValue 10000 */
  timeoutMs?: number
  /** Told the status code of every answer, or 'network_error' when none came (for metrics). */
  onResponse?: (statusCode: string) => void
}

export interface ChargeResult {
  outcome: 'charged'
  charge: Charge
  /** The idempotency key had charged before: this is that charge, and nobody was charged again. */
  replayed: boolean
}

/**
 * A client of the payment provider. `charge` either returns the charge or throws:
 * `ProviderRetryableError` (5xx, 429 with `retryAfterMs`, no answer: retry with the same idempotency key),
 * `CardDeclinedError` (do not retry), `ProviderRejectedError` (the request itself is wrong).
 */
export class PaymentsClient {
  readonly #apiKey: string
  readonly #baseUrl: string
  readonly #timeoutMs: number
  readonly #onResponse: (statusCode: string) => void

  constructor(options: PaymentsClientOptions) {
    this.#apiKey = options.apiKey
    this.#baseUrl = options.baseUrl ?? PAYMENTS_BASE_URL
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#onResponse = options.onResponse ?? (() => {})
  }

  async charge(request: ChargeRequest, options: { idempotencyKey: string }): Promise<ChargeResult> {
    const what = `to charge order ${request.orderId}`
    const response = await this.#send(what, '/v1/charges', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': options.idempotencyKey },
      body: JSON.stringify(request),
    })
    if (response.status === 402) {
      const body = await readJson(response)
      const code = Value.Check(ProviderErrorSchema, body) ? body.error.code : 'card_declined'
      throw new CardDeclinedError(request.orderId, code)
    }
    const charge = await this.#expectCharge(what, response)
    return { outcome: 'charged', charge, replayed: response.headers.get('idempotent-replayed') === 'true' }
  }

  /** The charge with this id, or undefined when the provider does not know it. */
  async getCharge(id: string): Promise<Charge | undefined> {
    const what = `to read charge ${id}`
    const response = await this.#send(what, `/v1/charges/${encodeURIComponent(id)}`, { method: 'GET' })
    if (response.status === 404) return undefined
    return this.#expectCharge(what, response)
  }

  /**
   * The charge made under this idempotency key, or undefined when the provider charged nothing under it.
   * Asked before an order is marked failed: an attempt whose answer never came may have charged.
   * Throws `ProviderRetryableError` when the provider cannot say (5xx, 429, no answer).
   */
  async findChargeByIdempotencyKey(idempotencyKey: string): Promise<Charge | undefined> {
    const what = `to look up the charge for idempotency key ${idempotencyKey}`
    const query = new URLSearchParams({ idempotency_key: idempotencyKey })
    const response = await this.#send(what, `/v1/charges?${query}`, { method: 'GET' })
    const body = await readJson(response)
    if (response.ok && Value.Check(ChargeListSchema, body)) return body.data[0]
    if (response.ok)
      throw new ProviderRetryableError(`${what} (malformed answer)`, { status: response.status })
    const code = Value.Check(ProviderErrorSchema, body) ? body.error.code : 'unknown'
    throw new ProviderRejectedError(what, response.status, code)
  }

  /** The request timeout: an attempt not answered within it counts as no answer. */
  get timeoutMs(): number {
    return this.#timeoutMs
  }

  async #send(what: string, path: string, init: RequestInit): Promise<Response> {
    let response: Response
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.#apiKey}` },
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (cause) {
      this.#onResponse('network_error')
      throw new ProviderRetryableError(what, { cause })
    }
    this.#onResponse(String(response.status))
    if (response.status === 429 || response.status >= 500) {
      await response.arrayBuffer().catch(() => undefined)
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now())
      throw new ProviderRetryableError(what, { status: response.status, retryAfterMs })
    }
    return response
  }

  async #expectCharge(what: string, response: Response): Promise<Charge> {
    const body = await readJson(response)
    if (response.ok && Value.Check(ChargeSchema, body)) return body
    if (response.ok)
      throw new ProviderRetryableError(`${what} (malformed answer)`, { status: response.status })
    const code = Value.Check(ProviderErrorSchema, body) ? body.error.code : 'unknown'
    throw new ProviderRejectedError(what, response.status, code)
  }
}

async function readJson(response: Response): Promise<unknown> {
  return response.json().catch(() => undefined)
}
