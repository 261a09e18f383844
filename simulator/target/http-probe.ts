/** One bounded HTTP request of a preflight: the status and body, or an error saying why nothing came back. */
export async function httpProbe(
  url: string,
  timeoutMs: number,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  let response: Response
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const cause = causeCode(err)
    if ((err as Error).name === 'TimeoutError')
      throw new Error(`${url} gave no answer within ${timeoutMs} ms`)
    throw new Error(
      `${url} is not reachable (${cause ?? (err as Error).message}): is the service running there?`,
    )
  }
  return { status: response.status, body: await response.text() }
}

/** {@link httpProbe} that wants a 2xx, naming the status otherwise. */
export async function expect2xx(url: string, timeoutMs: number): Promise<string> {
  const { status, body } = await httpProbe(url, timeoutMs)
  if (status < 200 || status > 299)
    throw new Error(`${url} answered ${status}${body ? `: ${body.slice(0, 120).replaceAll('\n', ' ')}` : ''}`)
  return String(status)
}

/** `ECONNREFUSED` and the like, from fetch's error or the errors it wraps. */
function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[]; message?: string } }).cause
  return cause?.code ?? cause?.errors?.find((e) => e.code !== undefined)?.code ?? cause?.message
}
