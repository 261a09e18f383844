import { WebhookFailedError } from './errors.ts'

export interface SendWebhookOptions {
  /** Real-time budget of the POST. @defaultValue 5000 */
  timeoutMs?: number
  /** @defaultValue the global fetch */
  fetch?: typeof fetch
}

/** POSTs a JSON payload; resolves with the receiver's status, throws FIREDRILL_WEBHOOK_FAILED on non-2xx or no answer. */
export async function sendWebhook(
  url: string,
  payload: unknown,
  options: SendWebhookOptions = {},
): Promise<number> {
  const fetchImpl = options.fetch ?? fetch
  let response: Response
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    })
    await response.arrayBuffer()
  } catch (err) {
    const detail =
      err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : 'the request failed'
    throw new WebhookFailedError(url, detail, err)
  }
  if (!response.ok) throw new WebhookFailedError(url, `the receiver answered HTTP ${response.status}`)
  return response.status
}
