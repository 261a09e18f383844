import type { FlagChange } from './flag-change.ts'
import { FlagsHttpError } from './flags-errors.ts'
import type {
  AuditEntryView,
  FlagChangeResponse,
  FlagInventory,
  OfrepError,
  OfrepSuccess,
} from './flags-schemas.ts'

export interface FlagsHttpClientOptions {
  /** Where the flags service listens, like `http://127.0.0.1:4100`. */
  baseUrl: string
  /** The bearer token for `set`; reads work without it. */
  token?: string
  /** Who the audit log names for changes made through this client. @defaultValue the server's default */
  actor?: string
  /** Per-request time limit in ms. @defaultValue 5000 */
  timeoutMs?: number
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch
}

/** An OFREP answer: the evaluation, or (for an unknown flag) `{key, errorCode: 'FLAG_NOT_FOUND', ...}`. */
export type OfrepAnswer = OfrepSuccess | OfrepError

/**
 * A small typed client for the flags service, for the command line and the drill's responder.
 * Every method throws `FlagsHttpError` (with `status` and the answer's body) when the service says no.
 */
export class FlagsHttpClient {
  readonly #baseUrl: string
  readonly #token: string | undefined
  readonly #actor: string | undefined
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch

  constructor(options: FlagsHttpClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token
    this.#actor = options.actor
    this.#timeoutMs = options.timeoutMs ?? 5000
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  /** The inventory: every flag with its state, variants, targeting, metadata and a one-line summary. */
  list(): Promise<FlagInventory> {
    return this.#request<FlagInventory>('GET', '/flags')
  }

  /** Changes a flag (needs the token); the answer holds the new definition and the audit entry. */
  set(key: string, change: FlagChange, reason: string, actor = this.#actor): Promise<FlagChangeResponse> {
    const body = { ...change, reason, ...(actor === undefined ? {} : { actor }) }
    return this.#request<FlagChangeResponse>('PUT', `/flags/${encodeURIComponent(key)}`, body)
  }

  /** Audit entries, newest first. @defaultValue limit 50 */
  async audit(limit = 50): Promise<AuditEntryView[]> {
    const { entries } = await this.#request<{ entries: AuditEntryView[] }>(
      'GET',
      `/flags/audit?limit=${limit}`,
    )
    return entries
  }

  /** Evaluates one flag for a context (OFREP). An unknown flag answers, it does not throw. */
  evaluate(key: string, context: Record<string, unknown> = {}): Promise<OfrepAnswer> {
    return this.#request<OfrepAnswer>(
      'POST',
      `/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`,
      { context },
      [404],
    )
  }

  async #request<T>(method: string, path: string, body?: unknown, alsoOk: number[] = []): Promise<T> {
    const url = `${this.#baseUrl}${path}`
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`
    let response: Response
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (err) {
      throw new FlagsHttpError(method, url, 0, undefined, err)
    }
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      // not JSON: keep the text for the error
    }
    if (!response.ok && !alsoOk.includes(response.status))
      throw new FlagsHttpError(method, url, response.status, parsed)
    return parsed as T
  }
}
