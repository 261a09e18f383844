import { httpProbe } from './http-probe.ts'

/** A flag as an OFREP provider evaluates it for one targeting key: its variant and value. */
export async function readOfrepFlag(
  baseUrl: string,
  flag: string,
  timeoutMs: number,
  targetingKey = 'firedrill-preflight',
): Promise<{ variant?: string; value?: unknown }> {
  const url = `${baseUrl.replace(/\/+$/, '')}/ofrep/v1/evaluate/flags/${encodeURIComponent(flag)}`
  const { status, body } = await httpProbe(url, timeoutMs, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ context: { targetingKey } }),
  })
  if (status !== 200) throw new Error(`${url} answered ${status}${body ? `: ${body.slice(0, 160)}` : ''}`)
  const { value, variant } = JSON.parse(body) as { value?: unknown; variant?: string }
  return { ...(variant === undefined ? {} : { variant }), ...(value === undefined ? {} : { value }) }
}
